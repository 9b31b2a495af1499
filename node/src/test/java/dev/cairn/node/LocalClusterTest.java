package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.BatchConfig;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import dev.cairn.node.testjobs.CountWords;
import dev.cairn.rpc.RemoteException;
import dev.cairn.store.FileStatus;
import dev.cairn.store.StoreClient;
import dev.cairn.store.WriteOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole engine in one JVM, over real loopback RPC, with buffers small enough to spill a lot. */
class LocalClusterTest {
    @TempDir
    Path dir;

    @Test
    void recordValuesCustomPartitionerAndManySpillsGiveExactCounts() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in"));
        TreeMap<String, Long> expected = new TreeMap<>();
        Random random = new Random(11);
        for (int f = 0; f < 3; f++) {
            StringBuilder sb = new StringBuilder();
            for (int line = 0; line < 4000; line++) {
                int words = 1 + random.nextInt(12);
                for (int i = 0; i < words; i++) {
                    String w = "w" + Integer.toString((int) Math.abs(random.nextGaussian() * 500), 36);
                    expected.merge(w, 1L, Long::sum);
                    sb.append(i > 0 ? " " : "").append(w);
                }
                sb.append('\n');
            }
            Files.writeString(input.resolve("part-" + f + ".txt"), sb);
        }
        Config config = Config.defaults(NodeConfig.DEF)
                .with(BatchConfig.MASTER_SPLIT_SIZE, 20_000L)
                .with(BatchConfig.WORKER_SORT_BUFFER, 16L << 10)
                .with(BatchConfig.WORKER_SHUFFLE_MEMORY, 8L << 10)
                .with(BatchConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(200));
        Path output = dir.resolve("out");
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2, 2, config);
                BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            JobStatus submitted = client.submit(
                    new CountWords().define(new String[] {input.toString(), output.toString()}),
                    jarOf(CountWords.class),
                    "test-jobs.jar");
            JobStatus end = await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> client.status(submitted.jobId()),
                            s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stage("map").total()).isGreaterThan(5);
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .sorted()
                    .toList()) {
                List<String> part = Files.readAllLines(p, StandardCharsets.UTF_8);
                assertThat(part).as("each part file is sorted by key").isSorted();
                int partition = Integer.parseInt(p.getFileName().toString().substring(7));
                assertThat(part).allSatisfy(l -> assertThat(l.charAt(0) % 3).isEqualTo(partition));
                lines.addAll(part);
            }
        }
        List<String> want = new ArrayList<>();
        expected.forEach((w, c) -> want.add(w + "\t" + c));
        lines.sort(null);
        assertThat(lines).isEqualTo(want);
    }

    /**
     * Input and output in the store: one map per block, maps run where their block lies (each
     * block has one replica, so a worker holds about half), and the output is committed into the
     * store, where it appears whole, with nothing else left behind.
     */
    @Test
    void wordCountReadsItsBlocksWhereTheyLieAndCommitsIntoTheStore() throws Exception {
        TreeMap<String, Long> expected = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        Random random = new Random(5);
        while (text.length() < 600_000) {
            for (int i = 0, n = 1 + random.nextInt(10); i < n; i++) {
                String w = "w" + Integer.toString((int) Math.abs(random.nextGaussian() * 300), 36);
                expected.merge(w, 1L, Long::sum);
                text.append(i > 0 ? " " : "").append(w);
            }
            text.append('\n');
        }
        Config config =
                Config.defaults(NodeConfig.DEF).with(BatchConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(200));
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2, 2, config);
                BatchClient client = BatchClient.connect(cluster.masterEndpoint());
                StoreClient store = StoreClient.connect(cluster.coordConnect(), null, Duration.ofSeconds(30))) {
            try (OutputStream out = store.create("cairn:///in/words.txt", new WriteOptions(1, 64 << 10, false))) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            int blocks = store.stat("/in/words.txt").blocks().size();
            assertThatThrownBy(() -> client.submit(
                            new CountWords().define(new String[] {"cairn:///nope", "cairn:///out/x"}),
                            jarOf(CountWords.class),
                            "test-jobs.jar"))
                    .isInstanceOf(RemoteException.class)
                    .hasMessageContaining("input path does not exist: cairn:///nope");

            JobStatus submitted = client.submit(
                    new CountWords().define(new String[] {"cairn:///in/words.txt", "cairn:///out/counts"}),
                    jarOf(CountWords.class),
                    "test-jobs.jar");
            JobStatus end = await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> client.status(submitted.jobId()),
                            s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stage("map").total()).as("one map per block").isEqualTo(blocks);
            assertThat(end.output()).isEqualTo("cairn:///out/counts");
            assertThat(end.inputBytes()).isGreaterThanOrEqualTo(text.length());
            assertThat(end.inputLocalBytes()).isPositive();
            assertThat(end.dataLocalMaps()).isPositive();

            assertThat(store.list("/out"))
                    .extracting(FileStatus::path)
                    .as("no staging left")
                    .containsExactly("/out/counts");
            List<String> lines = new ArrayList<>();
            for (FileStatus f : store.list("/out/counts")) {
                if (!f.path().contains("/part-")) continue;
                try (InputStream in = store.open(f.path())) {
                    lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .toList());
                }
            }
            assertThat(store.exists("/out/counts/_SUCCESS")).isTrue();
            List<String> want = new ArrayList<>();
            expected.forEach((w, c) -> want.add(w + "\t" + c));
            lines.sort(null);
            assertThat(lines).isEqualTo(want);
        }
    }

    @Test
    void aStorePathOnANodeWithoutCoordIsAClearError() throws Exception {
        Files.writeString(dir.resolve("in.txt"), "a b\n");
        Config config = Config.defaults(NodeConfig.DEF)
                .with(NodeConfig.NODE_ROLES, List.of("master", "worker"))
                .with(NodeConfig.NODE_PORT, 0)
                .with(NodeConfig.MASTER_HTTP_PORT, 0)
                .with(NodeConfig.NODE_DIR, dir.resolve("node").toString());
        try (CairnNode node = CairnNode.start(config, Clock.system());
                BatchClient client = BatchClient.connect(node.endpoint())) {
            assertThatThrownBy(() -> client.submit(
                            new CountWords().define(new String[] {
                                "cairn:///in/words.txt", dir.resolve("out").toString()
                            }),
                            jarOf(CountWords.class),
                            "test-jobs.jar"))
                    .hasMessageContaining(
                            "no file system for scheme cairn (cairn:///in/words.txt): this node has no coord connection");
            assertThatThrownBy(() -> client.submit(
                            new CountWords()
                                    .define(new String[] {dir.resolve("in.txt").toString(), "cairn:///out"}),
                            jarOf(CountWords.class),
                            "test-jobs.jar"))
                    .hasMessageContaining("no file system for scheme cairn (cairn:///out)");
        }
    }

    /** The job classes, packed as a job jar the way a user's build would. */
    static byte[] jarOf(Class<?> anchor) throws Exception {
        Path root = Path.of(
                anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path pkg = root.resolve(anchor.getPackageName().replace('.', '/'));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes);
                Stream<Path> files = Files.list(pkg)) {
            for (Path f : files.toList()) {
                jar.putNextEntry(new JarEntry(root.relativize(f).toString()));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
