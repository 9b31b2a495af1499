package dev.cairn.dataflow.bigstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed state larger than the heap: {@link BigStateJob} with 1M keys of 1 KiB (1 GiB of state) in
 * a JVM with {@code -Xmx256m}, on RocksDB. It writes and reads a gigabyte, so it runs only with
 * {@code -Dstream.bigstate=true} ({@code bench/stream-bigstate.sh}); {@code -Dstream.bigstate.keys}
 * changes the number of keys.
 */
@EnabledIfSystemProperty(named = "stream.bigstate", matches = "true")
class BigStateTest {
    @TempDir
    Path dir;

    @Test
    void aGigabyteOfKeyedStateFitsInA256MegabyteHeapOnRocksDb() throws Exception {
        long keys = Long.getLong("stream.bigstate.keys", 1_000_000);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("job.log");
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx256m",
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
