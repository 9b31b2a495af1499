package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.common.config.Config;
import dev.cairn.node.testjobs.CountWords;
import java.io.ByteArrayOutputStream;
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
                .with(NodeConfig.MASTER_SPLIT_SIZE, 20_000L)
                .with(NodeConfig.WORKER_SORT_BUFFER, 16L << 10)
                .with(NodeConfig.WORKER_SHUFFLE_MEMORY, 8L << 10)
                .with(NodeConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(200));
        Path output = dir.resolve("out");
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2, 2, config);
             BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            JobStatus submitted = client.submit(new CountWords().define(new String[] {input.toString(), output.toString()}),
                    jarOf(CountWords.class), "test-jobs.jar");
            JobStatus end = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> client.status(submitted.jobId()), s -> s.state().isTerminal());
            assertThat(end.state()).as(end.error()).isEqualTo(JobState.SUCCEEDED);
            assertThat(end.stage("map").total()).isGreaterThan(5);
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
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

    /** The job classes, packed as a job jar the way a user's build would. */
    static byte[] jarOf(Class<?> anchor) throws Exception {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path pkg = root.resolve(anchor.getPackageName().replace('.', '/'));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes); Stream<Path> files = Files.list(pkg)) {
            for (Path f : files.toList()) {
                jar.putNextEntry(new JarEntry(root.relativize(f).toString()));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
