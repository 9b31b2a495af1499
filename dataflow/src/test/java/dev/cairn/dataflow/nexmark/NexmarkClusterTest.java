package dev.cairn.dataflow.nexmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigDef;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.net.FreePorts;
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
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.internal.network.NetworkSettings;
import dev.cairn.rpc.RpcServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream runtime across a master and two workers in this JVM, over real TCP: Nexmark queries
 * at parallelism 2 with one slot per worker, so every keyed exchange crosses the network; with
 * checkpoints; and a worker that dies mid-job, after which the job restarts from its latest
 * checkpoint on the worker that is left and still writes exactly the answer. The multi-process
 * version (kill -9, master fail-over) is in the it module.
 */
class NexmarkClusterTest {
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

    private String startMaster() throws IOException {
        return startMaster(StreamJobRegistry.inMemory()).endpoint;
    }

    private record Started(StreamMaster master, RpcServer server, String endpoint) {}

    private Started startMaster(StreamJobRegistry registry) throws IOException {
        StreamMaster master = StreamMaster.create(
                new StreamMaster.Settings(
                        dir.resolve("stream"),
                        null,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        FileSystemRegistry.local()),
                registry,
                Optional::empty,
                Clock.system());
        open.add(master);
        RpcServer server = RpcServer.start("127.0.0.1", 0, master.services());
        open.add(server);
        master.activate();
        return new Started(master, server, server.endpoint());
    }

    private StreamWorker startWorker(String id, String master, int slots) throws IOException {
        return startWorker(id, () -> master, slots);
    }

    private StreamWorker startWorker(String id, java.util.function.Supplier<String> master, int slots)
            throws IOException {
        StreamWorker worker = StreamWorker.create(
                new StreamWorker.Settings(
                        id,
                        id,
                        "127.0.0.1",
                        0,
                        slots,
                        dir.resolve(id),
                        Duration.ofMillis(50),
                        Duration.ofSeconds(10),
                        Config.defaults(new ConfigDef("dataflow", DataflowConfig.KEYS)),
                        FileSystemRegistry.local()),
                master,
                Clock.system());
        open.add(worker);
        worker.start();
        return worker;
    }

    private static StreamJobStatus awaitEnd(StreamClient client, String id) {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> client.status(id), s -> s.state().ended());
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

    @Test
    @Timeout(120)
    void q5AndQ8RunAcrossTwoWorkersWithTheExactAnswer() throws Exception {
        String master = startMaster();
        startWorker("w1", master, 1);
        startWorker("w2", master, 1);
        try (StreamClient client = StreamClient.connect(master)) {
            for (String query : List.of("q5", "q8")) {
                Path out = dir.resolve(query);
                Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
                (query.equals("q5")
                                ? NexmarkQueries.q5(flow, data.resolve("events.csv"))
                                : NexmarkQueries.q8(flow, data.resolve("events.csv")))
                        .writeAsTextExactlyOnce(out);
                StreamJobStatus submitted = await().atMost(Duration.ofSeconds(10))
                        .ignoreExceptions()
                        .until(
                                () -> client.submit(flow, query, new byte[0], "none", StreamJobSettings.none()),
                                s -> s != null);
                StreamJobStatus end = awaitEnd(client, submitted.jobId());
                assertThat(end.state()).as(end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
                assertThat(end.slotWorkers()).isEmpty();
                assertThat(output(out)).as(query).isEqualTo(answer(query));
            }
        }
    }

    /**
     * A master that becomes active after another still answers for the jobs that ended under the
     * other: status and list show them as they ended (a CI run asked the new master for a job the
     * old one had finished and got "no stream job" for three minutes).
     */
    @Test
    @Timeout(120)
    void aJobThatEndedUnderTheLastMasterStillShowsUnderTheNext() throws Exception {
        StreamJobRegistry registry = StreamJobRegistry.inMemory();
        Started first = startMaster(registry);
        startWorker("w1", first.endpoint(), 2);
        String id;
        try (StreamClient client = StreamClient.connect(first.endpoint())) {
            Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
            NexmarkQueries.q8(flow, data.resolve("events.csv")).writeAsTextExactlyOnce(dir.resolve("q8"));
            StreamJobStatus submitted = await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(
                            () -> client.submit(flow, "q8", new byte[0], "none", StreamJobSettings.none()),
                            s -> s != null);
            id = submitted.jobId();
            assertThat(awaitEnd(client, id).state()).isEqualTo(StreamJobStatus.State.FINISHED);
        }
        first.server().close();
        first.master().close();

        Started next = startMaster(registry);
        try (StreamClient client = StreamClient.connect(next.endpoint())) {
            StreamJobStatus status = client.status(id);
            assertThat(status.state()).isEqualTo(StreamJobStatus.State.FINISHED);
            assertThat(status.name()).isEqualTo("q8");
            assertThat(client.list()).extracting(StreamJobStatus::jobId).contains(id);
        }
    }

    /** A side output crosses workers as the main output does: Q7's malformed lines set aside by a process function. */
    @Test
    @Timeout(120)
    void malformedLinesGoToAnExactlyOnceSideOutputAcrossTwoWorkers() throws Exception {
        String master = startMaster();
        startWorker("w1", master, 1);
        startWorker("w2", master, 1);
        Path mixed = dir.resolve("mixed.csv");
        MalformedLinesTest.mix(data.resolve("events.csv"), mixed, 10_000);
        Path out = dir.resolve("q7");
        Path malformed = dir.resolve("malformed");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        dev.cairn.dataflow.Stream<String> good = NexmarkQueries.wellFormed(flow.readTextFile(mixed));
        good.sideOutput(NexmarkQueries.MALFORMED).rebalance().writeAsTextExactlyOnce(malformed);
        NexmarkQueries.q7(good).writeAsTextExactlyOnce(out);
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus end = awaitEnd(
                    client, submit(client, flow, StreamJobSettings.none()).jobId());
            assertThat(end.state()).as(end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
        }
        assertThat(output(out)).isEqualTo(answer("q7"));
        assertThat(MalformedLinesTest.badLinesOf(output(malformed))).isEqualTo(MalformedLinesTest.sortedBadLines());
    }

    static final AtomicLong LINES = new AtomicLong();
    static volatile long failAt;

    static void failOnceThenParse(String line, Collector<NexmarkEvent.Bid> out) {
        if (LINES.incrementAndGet() == failAt) throw new IllegalStateException("injected failure at line " + failAt);
        NexmarkParser.bids(line, out);
    }

    private static StreamJobStatus submit(StreamClient client, Dataflow flow, StreamJobSettings settings) {
        return await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> client.submit(flow, "q7", new byte[0], "none", settings), s -> s != null);
    }

    private Dataflow q7WithFailure(Path out, long seed) {
        failAt = EVENTS / 4L + new Random(seed).nextInt(EVENTS / 2);
        LINES.set(0);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        NexmarkQueries.q7Bids(flow.readTextFile(data.resolve("events.csv"))
                        .flatMap(NexmarkClusterTest::failOnceThenParse, Codecs.record(NexmarkEvent.Bid.class))
                        .assignTimestamps(NexmarkEvent.Bid::dateTime, NexmarkQueries.WATERMARKS))
                .writeAsTextExactlyOnce(out);
        return flow;
    }

    @Test
    @Timeout(120)
    void aFailingSubtaskRestartsTheJobFromItsLatestCheckpointWithExactlyTheAnswer() throws Exception {
        String master = startMaster();
        startWorker("w1", master, 1);
        startWorker("w2", master, 1);
        long seed = Long.getLong("e2e.seed", System.nanoTime());
        Path out = dir.resolve("q7");
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus submitted =
                    submit(client, q7WithFailure(out, seed), StreamJobSettings.every(Duration.ofMillis(50)));
            StreamJobStatus end = awaitEnd(client, submitted.jobId());
            assertThat(end.state()).as("seed %d: %s", seed, end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
            assertThat(end.restarts()).as("seed %d", seed).isEqualTo(1);
            assertThat(end.completedCheckpoints()).isPositive();
            assertThat(end.latestCheckpoint()).isPresent();
        }
        assertThat(output(out)).as("seed %d", seed).isEqualTo(answer("q7"));
    }

    @Test
    @Timeout(120)
    void aLostWorkersSubtasksRestartOnTheWorkerLeftWithExactlyTheAnswer() throws Exception {
        String master = startMaster();
        StreamWorker first = startWorker("w1", master, 2);
        startWorker("w2", master, 2);
        Path out = dir.resolve("q7");
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus submitted = slowQ7OnW1AndW2(client, out);
            first.close(); // its subtasks stop, its heartbeats too: the master loses it
            StreamJobStatus end = awaitEnd(client, submitted.jobId());
            assertThat(end.state()).as(end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
            assertThat(end.restarts()).isGreaterThanOrEqualTo(1);
        }
        assertThat(output(out)).isEqualTo(answer("q7"));
    }

    /**
     * A worker that loses track of the master for a moment cancels its runs and registers again,
     * before the master would count it lost: the master must restart the job's run (a CI run's
     * jobs counted as running on such a worker, their other subtasks waited for its forever, and
     * no checkpoint completed again).
     */
    @Test
    @Timeout(120)
    void aWorkerThatRegistersAgainMidJobHasTheJobRestartedWithExactlyTheAnswer() throws Exception {
        String master = startMaster();
        startWorker("w1", master, 2);
        java.util.concurrent.atomic.AtomicReference<String> seenByW2 =
                new java.util.concurrent.atomic.AtomicReference<>(master);
        startWorker("w2", seenByW2::get, 2);
        Path out = dir.resolve("q7");
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus submitted = slowQ7OnW1AndW2(client, out);
            // w2 believes another master is active (nothing listens there): it cancels its runs and
            // fails to register; told the real one again, it registers anew, within the 2 s the
            // master gives a silent worker.
            seenByW2.set("127.0.0.1:" + FreePorts.pick("127.0.0.1"));
            await().pollDelay(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(1))
                    .until(() -> true);
            seenByW2.set(master);
            StreamJobStatus end = awaitEnd(client, submitted.jobId());
            assertThat(end.state()).as(end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
            assertThat(end.restarts()).isGreaterThanOrEqualTo(1);
        }
        assertThat(output(out)).isEqualTo(answer("q7"));
    }

    /** Submits Q7 over bids parsed a little slowly, checkpointed, on w1 and w2; returns once two checkpoints completed. */
    private static StreamJobStatus slowQ7OnW1AndW2(StreamClient client, Path out) {
        failAt = Long.MAX_VALUE;
        LINES.set(0);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        NexmarkQueries.q7Bids(flow.readTextFile(data.resolve("events.csv"))
                        .flatMap(NexmarkClusterTest::slowParse, Codecs.record(NexmarkEvent.Bid.class))
                        .assignTimestamps(NexmarkEvent.Bid::dateTime, NexmarkQueries.WATERMARKS))
                .writeAsTextExactlyOnce(out);
        StreamJobStatus submitted = submit(client, flow, StreamJobSettings.every(Duration.ofMillis(50)));
        assertThat(submitted.slotWorkers()).containsExactlyInAnyOrder("w1", "w2");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.status(submitted.jobId()).completedCheckpoints() >= 2);
        return submitted;
    }

    /** Parses, a little slowly, so that the job is still running when the worker goes. */
    static void slowParse(String line, Collector<NexmarkEvent.Bid> out) {
        if (LINES.incrementAndGet() % 1000 == 0) java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        NexmarkParser.bids(line, out);
    }

    static final AtomicLong SUNK = new AtomicLong();

    /** A deliberately slow sink: about 20 µs per record. */
    static void slowSink(NexmarkEvent.Bid bid, long timestamp) {
        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        SUNK.incrementAndGet();
    }

    @Test
    @Timeout(120)
    void aSlowSinkBackpressuresItsSourcesWithBoundedMemoryAndStatusShowsIt() throws Exception {
        String master = startMaster();
        StreamWorker w1 = startWorker("w1", master, 1);
        StreamWorker w2 = startWorker("w2", master, 1);
        SUNK.set(0);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.readTextFile(data.resolve("events.csv"))
                .flatMap(NexmarkParser::bids, Codecs.record(NexmarkEvent.Bid.class))
                .rebalance()
                .addSink(NexmarkClusterTest::slowSink, "slow sink");
        try (StreamClient client = StreamClient.connect(master)) {
            StreamJobStatus submitted = submit(client, flow, StreamJobSettings.none());
            StreamJobStatus busy = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> client.status(submitted.jobId()),
                            s -> s.operators().stream()
                                    .anyMatch(o -> o.name().startsWith("TextFile") && o.backpressure() > 0.5));
            StreamJobStatus.Operator source = busy.operators().stream()
                    .filter(o -> o.name().startsWith("TextFile"))
                    .findFirst()
                    .orElseThrow();
            assertThat(source.recordsOut()).isPositive();
            StreamJobStatus.Operator sink = busy.operators().stream()
                    .filter(o -> o.name().equals("slow sink"))
                    .findFirst()
                    .orElseThrow();
            assertThat(sink.backpressure()).as("the sink itself is not blocked").isLessThan(0.5);
            assertThat(sink.recordsInPerSecond()).as("the sink keeps consuming").isPositive();
            StreamJobStatus end = awaitEnd(client, submitted.jobId());
            assertThat(end.state()).as(end.failure()).isEqualTo(StreamJobStatus.State.FINISHED);
        }
        long bids;
        try (Stream<String> lines = Files.lines(data.resolve("events.csv"))) {
            bids = lines.filter(l -> l.startsWith("B,")).count();
        }
        assertThat(SUNK.get()).as("every bid reached the sink").isEqualTo(bids);
        // Each worker holds one source subtask (2 outgoing channels) and one sink subtask (a gate
        // of 2 channels); with the defaults (32 KiB buffers, 8 per channel, 8 floating per gate)
        // that bounds it to 1,344 KiB.
        NetworkSettings settings = NetworkSettings.defaults();
        long bound = 2 * settings.producerBytesPerChannel() + settings.gateBytes(2);
        for (StreamWorker w : List.of(w1, w2))
            assertThat(w.peakNetworkBufferBytes())
                    .as("network buffers held at once")
                    .isLessThanOrEqualTo(bound);
    }
}
