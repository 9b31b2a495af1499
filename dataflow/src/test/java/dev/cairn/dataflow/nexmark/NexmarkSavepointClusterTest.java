package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigDef;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowConfig;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobRegistry;
import dev.cairn.dataflow.StreamJobSettings;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.dataflow.StreamMaster;
import dev.cairn.dataflow.StreamWorker;
import dev.cairn.rpc.RpcServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints on the stream runtime (a master and two workers in this JVM, over real TCP): a
 * Nexmark query at parallelism 2 with a rate-limited source is stopped with a savepoint mid-job,
 * then resumed from that savepoint at parallelism 1 and, from the same savepoint into a copy of
 * the output directory made before either resumed, at parallelism 4. Both outputs are exactly the
 * answer: keyed state moved between key groups, the source's rest of input was redistributed and
 * the sink's pending files were committed once.
 */
class NexmarkSavepointClusterTest {
    static final int EVENTS = 200_000;

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        NexmarkExactnessTest.NexmarkGenerator.run(EVENTS, 11, 10, data.resolve("events.csv"), data.resolve("answers"));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    private String startCluster() throws IOException {
        StreamMaster master = StreamMaster.create(
                new StreamMaster.Settings(
                        dir.resolve("stream"),
                        null,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        FileSystemRegistry.local()),
                StreamJobRegistry.inMemory(),
                Optional::empty,
                Clock.system());
        open.add(master);
        RpcServer server = RpcServer.start("127.0.0.1", 0, master.services());
        open.add(server);
        master.activate();
        String endpoint = server.endpoint();
        for (String id : List.of("w1", "w2")) {
            StreamWorker worker = StreamWorker.create(
                    new StreamWorker.Settings(
                            id,
                            id,
                            "127.0.0.1",
                            0,
                            2,
                            dir.resolve(id),
                            Duration.ofMillis(50),
                            Duration.ofSeconds(10),
                            Config.defaults(new ConfigDef("dataflow", DataflowConfig.KEYS)),
                            FileSystemRegistry.local()),
                    () -> endpoint,
                    Clock.system());
            open.add(worker);
            worker.start();
        }
        return endpoint;
    }

    private static List<String> output(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }

    private static List<String> answer(String query) throws IOException {
        return Files.readAllLines(data.resolve("answers").resolve(query + ".txt"), StandardCharsets.US_ASCII);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList())
                Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    private static StreamJobStatus submit(StreamClient client, Dataflow flow, String name) {
        return await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(
                        () -> client.submit(
                                flow, name, new byte[0], "none", StreamJobSettings.every(Duration.ofMillis(50))),
                        s -> s != null);
    }

    /** Q7 as NexmarkClusterTest builds it, at the given parallelism, source rate and savepoint. */
    private static Dataflow q7(DataflowOptions options, Path out) {
        Dataflow flow = Dataflow.create(options);
        NexmarkQueries.q7Bids(flow.readTextFile(data.resolve("events.csv"))
                        .flatMap(NexmarkClusterTest::slowParse, Codecs.record(NexmarkEvent.Bid.class))
                        .assignTimestamps(NexmarkEvent.Bid::dateTime, NexmarkQueries.WATERMARKS))
                .writeAsTextExactlyOnce(out);
        return flow;
    }

    private static Dataflow q5(DataflowOptions options, Path out) {
        Dataflow flow = Dataflow.create(options);
        NexmarkQueries.q5(flow, data.resolve("events.csv")).writeAsTextExactlyOnce(out);
        return flow;
    }

    @Test
    @Timeout(180)
    void q7StoppedWithASavepointResumesAtParallelismOneAndFourWithExactlyTheAnswer() throws Exception {
        stopAndResume("q7", NexmarkSavepointClusterTest::q7);
    }

    @Test
    @Timeout(180)
    void q5StoppedWithASavepointResumesAtParallelismOneAndFourWithExactlyTheAnswer() throws Exception {
        stopAndResume("q5", NexmarkSavepointClusterTest::q5);
    }

    private void stopAndResume(String query, BiFunction<DataflowOptions, Path, Dataflow> program) throws Exception {
        String master = startCluster();
        Path out = dir.resolve("first").resolve(query);
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus first = submit(
                    client,
                    program.apply(DataflowOptions.defaults().withParallelism(2).withMaxSourceRate(100_000), out),
                    query);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> client.status(first.jobId()).completedCheckpoints() >= 3);
            StreamClient.Savepoint sp = client.savepoint(first.jobId(), null, true);
            assertThat(sp.status().state()).as(sp.status().failure()).isEqualTo(StreamJobStatus.State.CANCELLED);
            assertThat(sp.status().failure()).isEqualTo("stopped with savepoint " + sp.path());
            assertThat(Path.of(sp.path())).isDirectory();
            assertThat(output(out)).as("stopped mid-job").isNotEqualTo(answer(query));
            // Each resumed job gets its own copy of the output as the stopped job left it.
            for (int p : new int[] {1, 4}) copyTree(dir.resolve("first"), dir.resolve("p" + p));

            for (int p : new int[] {1, 4}) {
                Path resumedOut = dir.resolve("p" + p).resolve(query);
                Dataflow flow = program.apply(
                        DataflowOptions.defaults().withParallelism(p).withSavepoint(sp.path()), resumedOut);
                StreamJobStatus resumed = submit(client, flow, query);
                StreamJobStatus end = await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(50))
                        .until(
                                () -> client.status(resumed.jobId()),
                                s -> s.state().ended());
                assertThat(end.state()).as("p %d: %s", p, end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
                assertThat(output(resumedOut))
                        .as("resumed at parallelism %d", p)
                        .isEqualTo(answer(query));
            }

            // A savepoint of another program, and one that is not there, are refused in one line.
            Path other = dir.resolve("other").resolve(query);
            Dataflow mismatched = Dataflow.create(DataflowOptions.defaults().withSavepoint(sp.path()));
            mismatched.readTextFile(data.resolve("events.csv")).writeAsTextExactlyOnce(other);
            assertThatThrownBy(() -> client.submit(
                            mismatched, "other", new byte[0], "none", StreamJobSettings.every(Duration.ofMillis(50))))
                    .hasMessageContaining("savepoint " + sp.path() + " was taken from a job with operators [");
            Dataflow missing = program.apply(
                    DataflowOptions.defaults().withSavepoint(dir.resolve("nope").toString()), other);
            assertThatThrownBy(() -> client.submit(
                            missing, "missing", new byte[0], "none", StreamJobSettings.every(Duration.ofMillis(50))))
                    .hasMessageContaining("savepoint " + dir.resolve("nope") + " does not exist");
        }
    }
}
