package dev.cairn.dataflow.bigstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed state larger than the heap: {@link BigStateJob} on RocksDB in a forked JVM whose heap is
 * half the state: by default 256Ki keys of 1 KiB (256 MiB) in {@code -Xmx128m}, a few seconds.
 * {@code bench/stream-bigstate.sh} runs the gigabyte version ({@code -Dstream.bigstate.keys},
 * {@code -Dstream.bigstate.heap}); on the heap backend the same job needs a heap larger than its
 * state.
 */
class BigStateTest {
    @TempDir
    Path dir;

    @Test
    void keyedStateTwiceTheHeapCompletesOnRocksDb() throws Exception {
        long keys = Long.getLong("stream.bigstate.keys", 256 * 1024);
        String heap = System.getProperty("stream.bigstate.heap", "128m");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("job.log");
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx" + heap,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        BigStateJob.class.getName(),
                        dir.resolve("work").toString(),
                        Long.toString(keys),
                        "1024",
                        "rocksdb")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean done = p.waitFor(Long.getLong("stream.bigstate.timeout", 180), TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
        System.out.println(String.join(System.lineSeparator(), output));
        assertThat(done).as("finished in time: %s", output).isTrue();
        assertThat(p.exitValue()).as("exit code; output: %s", output).isZero();
        assertThat(output).anyMatch(l -> l.startsWith("OK " + keys + " keys"));
        // Everything it wrote was deleted when the operator closed.
        assertThat(dir.resolve("work/rocksdb")).isEmptyDirectory();
    }
}
