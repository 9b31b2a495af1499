package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.examples.stream.BigState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keyed state twice the heap of the workers that hold it, on a {@code cluster up --nodes 2
 * --worker-heap 128m} cluster, as a user runs it: {@code submit --example big-state
 * --state-backend rocksdb --checkpoint-interval 2s} with 512Ki keys of 1 KiB, 512 MiB of state,
 * 256 MiB on each worker. The job finishes without a restart, after checkpoints, and its output
 * is exactly {@link BigState#expected}: every value came back intact.
 */
class StreamBigStateIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
    static final String WORKER_HEAP = System.getProperty("stream.bigstate.it.heap", "128m");
    static final long KEYS = Long.getLong("stream.bigstate.it.keys", 512 * 1024);
    static final int VALUE_BYTES = 1024;

    @Test
    void keyedStateTwiceTheWorkersHeapCompletesOnRocksDb() throws Exception {
        Path dir = Files.createTempDirectory("cairn-bigstate-it");
        Path cluster = dir.resolve("cluster");
        try {
            Cli.ok(
                    Duration.ofMinutes(2),
                    "cluster",
                    "up",
                    "--nodes",
                    "2",
                    "--slots",
                    "1",
                    "--dir",
                    cluster.toString(),
                    // The master's heap; a worker that runs out of its own exits, which the job would show as a
                    // restart.
                    "--jvm-opts",
                    "-Xmx256m -XX:+ExitOnOutOfMemoryError",
                    "--worker-heap",
                    WORKER_HEAP);
            assertWorkersRunWithTheHeap(cluster);

            Path out = dir.resolve("out");
            Cli.Result r = Cli.ok(
                    JOB_TIMEOUT,
                    "submit",
                    "--dir",
                    cluster.toString(),
                    "--parallelism",
                    "2",
                    "--state-backend",
                    "rocksdb",
                    "--checkpoint-interval",
                    "2s",
                    "--example",
                    "big-state",
                    Long.toString(KEYS),
                    Integer.toString(VALUE_BYTES),
                    out.toString());
            System.out.println(r.stdout());
            Matcher finished = Pattern.compile("finished in [0-9.]+ s: (\\d+) checkpoints, (\\d+) restarts")
                    .matcher(r.stdout());
            assertThat(finished.find()).as(r.all()).isTrue();
            assertThat(Integer.parseInt(finished.group(1)))
                    .as("checkpoints taken")
                    .isPositive();
            assertThat(Integer.parseInt(finished.group(2))).as("restarts").isZero();
            assertThat(output(out)).isEqualTo(BigState.expected(KEYS, VALUE_BYTES));
        } finally {
            Cli.clusterDown(cluster, dir);
        }
    }

    /** Each worker's command line ends its heap options with {@code -Xmx<WORKER_HEAP>}: the one the JVM takes. */
    @SuppressWarnings("unchecked") // cluster.json's nodes are maps
    private static void assertWorkersRunWithTheHeap(Path cluster) throws IOException {
        List<Map<String, Object>> nodes =
                (List<Map<String, Object>>) Cli.clusterFile(cluster).get("nodes");
        int workers = 0;
        for (Map<String, Object> n : nodes) {
            if (!((List<String>) n.get("roles")).contains("worker")) continue;
            workers++;
            long pid = ((Number) n.get("pid")).longValue();
            String commandLine =
                    ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElseThrow();
            String lastXmx = null;
            for (String a : commandLine.split(" ")) if (a.startsWith("-Xmx")) lastXmx = a;
            assertThat(lastXmx).as(commandLine).isEqualTo("-Xmx" + WORKER_HEAP);
        }
        assertThat(workers).isEqualTo(2);
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
}
