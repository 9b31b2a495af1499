package dev.cairn.dataflow.bigstate;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StateBackendKind;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.state.KeyedStateStore;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A keyed job whose state is far larger than the heap, run in its own JVM by
 * {@link BigStateTest} (and {@code bench/stream-bigstate.sh}) with a small {@code -Xmx}: every key
 * of {@code 0 .. keys-1} arrives twice; the first time the function stores a value of
 * {@code valueBytes} pseudo-random bytes for it, the second time it reads the value back and
 * checks it. Prints {@code OK <keys> <seconds>} when every key's value came back intact.
 *
 * <p>Arguments: {@code workDir keys valueBytes backend} (heap or rocksdb).
 */
public final class BigStateJob {
    private BigStateJob() {}

    /** The value of a key: {@code size} bytes from a generator seeded with the key. */
    static byte[] valueOf(long key, int size) {
        byte[] b = new byte[size];
        SplittableRandom random = new SplittableRandom(key * 0x9E3779B97F4A7C15L);
        for (int i = 0; i < size; i += 8) {
            long r = random.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) b[i + j] = (byte) (r >>> (8 * j));
        }
        return b;
    }

    /** Stores a value per key on its first record, checks it on its second. */
    static final class StoreThenCheck extends KeyedProcessFunction<Long, Long, String> {
        private static final long serialVersionUID = 1L;
        private final int valueBytes;
        private transient ValueState<byte[]> value;

        StoreThenCheck(int valueBytes) {
            this.valueBytes = valueBytes;
        }

        @Override
        public void open(KeyedStateStore store) {
            value = store.valueState(StateDescriptor.value("value", Codecs.BYTES));
        }

        @Override
        public void processElement(Long key, Context<Long, String> context, Collector<String> out) {
            byte[] stored = value.value();
            byte[] expected = valueOf(key, valueBytes);
            if (stored == null) {
                value.update(expected);
            } else if (!Arrays.equals(stored, expected)) {
                out.collect("BAD " + key);
            } else if (key % 1000 == 0) {
                out.collect("ok " + key);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        long keys = Long.parseLong(args[1]);
        int valueBytes = Integer.parseInt(args[2]);
        StateBackendKind backend = StateBackendKind.parse(args[3]);
        PrintStream log = System.out;
        Files.createDirectories(work);
        Path input = work.resolve("keys.txt");
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.US_ASCII)) {
            for (int pass = 0; pass < 2; pass++) {
                for (long k = 0; k < keys; k++) {
                    w.write(Long.toString(k));
                    w.write('\n');
                }
            }
        }
        System.setProperty("cairn.rocksdb.dir", work.resolve("rocksdb").toString());
        long started = System.nanoTime();
        // One subtask: a key's second record must come after its first (one source reads the file in order).
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withStateBackend(backend));
        Path out = work.resolve("out");
        flow.readTextFile(input)
                .map(Long::parseLong, Codecs.LONG)
                .keyBy(k -> k, Codecs.LONG)
                .process(new StoreThenCheck(valueBytes), Codecs.STRING)
                .writeAsText(out);
        flow.execute();
        double seconds = (System.nanoTime() - started) / 1e9;
        long ok = 0;
        long bad = 0;
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
                for (String line : lines) {
                    if (line.startsWith("ok ")) ok++;
                    else bad++;
                }
            }
        }
        long expectedOk = (keys + 999) / 1000;
        if (ok != expectedOk || bad != 0) {
            log.println("FAILED ok=" + ok + " (expected " + expectedOk + ") bad=" + bad);
            System.exit(1);
        }
        log.printf(
                "OK %d keys of %d bytes (%.2f GiB of state) on %s in %.1f s, max heap %d MiB%n",
                keys,
                valueBytes,
                keys * (double) valueBytes / (1L << 30),
                backend.configName(),
                seconds,
                Runtime.getRuntime().maxMemory() >> 20);
    }
}
