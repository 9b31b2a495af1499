package dev.cairn.examples.stream;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.KeyedProcessFunction;
import dev.cairn.dataflow.state.KeyedStateStore;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import dev.cairn.dataflow.window.WindowAssigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;

/**
 * Keyed state far larger than the workers' heap, for the RocksDB state backend
 * ({@code --state-backend rocksdb}): {@code big-state KEYS VALUE_BYTES OUT_DIR}. Every key of
 * {@code 0 .. KEYS-1} arrives twice from a generating source: the first time the keyed function
 * stores a value of VALUE_BYTES pseudo-random bytes for it (seeded by the key), the second time it
 * reads the value back. So at the end the job holds {@code KEYS * VALUE_BYTES} bytes of state.
 *
 * <p>The result is small and exact: per bucket ({@code key % 16}) one line
 * {@code bucket<TAB>keys<TAB>checksum} with the number of keys whose value was read back and the
 * sum of their values' CRC-32C; a key read back without a value counts in bucket {@code missing}.
 * {@link #expected} computes the lines a correct run writes. The output goes to OUT_DIR (which must
 * not exist) through the exactly-once file sink.
 */
public final class BigState implements DataflowJob {
    static final int BUCKETS = 16;
    /** Keys per item of the source: subtask i of p generates items i, i + p, ... */
    private static final int KEYS_PER_ITEM = 4096;

    /** A key read back: its bucket ({@code -1} if it had no value) and its value's checksum. */
    public record Checked(int bucket, long checksum) {}

    /** The running count and checksum of a bucket. */
    public record Sum(long keys, long checksum) {}

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 3) throw new IllegalArgumentException("usage: big-state KEYS VALUE_BYTES OUT_DIR");
        long keys = positive(args[0], "KEYS");
        int valueBytes = Math.toIntExact(positive(args[1], "VALUE_BYTES"));
        Path out = Path.of(args[2]).toAbsolutePath().normalize();
        if (Files.exists(out)) throw new IllegalArgumentException("output directory " + out + " already exists");
        long items = (keys + KEYS_PER_ITEM - 1) / KEYS_PER_ITEM;
        flow.fromCollection(LongStream.range(0, items).boxed().toList(), Codecs.LONG)
                .parallelism(flow.options().parallelism())
                .name("Key ranges")
                .flatMap((Long item, Collector<Long> o) -> twice(item, keys, o), Codecs.LONG)
                .keyBy(BigState::keyOf, Codecs.LONG)
                .process(new StoreThenRead(valueBytes), Codecs.record(Checked.class))
                .assignTimestamps(c -> 0L, WatermarkStrategy.monotonousTimestamps())
                .keyBy(Checked::bucket, Codecs.INT)
                // One window holds everything; the end of input closes it.
                .window(WindowAssigner.tumbling(Duration.ofMinutes(1)))
                .aggregate(
                        new Summing(),
                        (Integer bucket,
                                dev.cairn.dataflow.functions.ProcessWindowFunction.Context context,
                                Iterable<Sum> sums,
                                Collector<String> o) -> {
                            Sum s = sums.iterator().next();
                            o.collect(line(bucket, s.keys(), s.checksum()));
                        },
                        Codecs.record(Sum.class),
                        Codecs.STRING)
                .writeAsTextExactlyOnce(out);
    }

    /**
     * The lines of a correct run's output, sorted: computes every value again, about a second per
     * 256 MiB.
     */
    public static List<String> expected(long keys, int valueBytes) {
        long[] count = new long[BUCKETS];
        long[] checksum = new long[BUCKETS];
        for (long k = 0; k < keys; k++) {
            int b = (int) (k % BUCKETS);
            count[b]++;
            checksum[b] += checksum(valueOf(k, valueBytes));
        }
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < BUCKETS; b++) if (count[b] > 0) lines.add(line(b, count[b], checksum[b]));
        lines.sort(null);
        return lines;
    }

    private static String line(int bucket, long keys, long checksum) {
        return (bucket < 0 ? "missing" : Integer.toString(bucket)) + "\t" + keys + "\t" + checksum;
    }

    private static long positive(String arg, String name) {
        try {
            long v = Long.parseLong(arg);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive number, got '" + arg + "'");
    }

    /** A record is a key to store ({@code k >= 0}) or to read back ({@code -k - 1}). */
    static long keyOf(long record) {
        return record >= 0 ? record : -record - 1;
    }

    /** The keys of one item, each to store, then each to read back (in order, from one subtask). */
    private static void twice(long item, long keys, Collector<Long> out) {
        long from = item * KEYS_PER_ITEM;
        long to = Math.min(keys, from + KEYS_PER_ITEM);
        for (long k = from; k < to; k++) out.collect(k);
        for (long k = from; k < to; k++) out.collect(-k - 1);
    }

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

    static long checksum(byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(value);
        return crc.getValue();
    }

    /** Stores each key's value on its first record, reads it back on its second. */
    static final class StoreThenRead extends KeyedProcessFunction<Long, Long, Checked> {
        private static final long serialVersionUID = 1L;
        private final int valueBytes;
        private transient ValueState<byte[]> value;

        StoreThenRead(int valueBytes) {
            this.valueBytes = valueBytes;
        }

        @Override
        public void open(KeyedStateStore store) {
            value = store.valueState(StateDescriptor.value("value", Codecs.BYTES));
        }

        @Override
        public void processElement(Long record, Context<Long, Checked> context, Collector<Checked> out) {
            long key = context.currentKey();
            if (record >= 0) {
                value.update(valueOf(key, valueBytes));
                return;
            }
            byte[] stored = value.value();
            out.collect(stored == null ? new Checked(-1, 0) : new Checked((int) (key % BUCKETS), checksum(stored)));
        }
    }

    static final class Summing implements AggregateFunction<Checked, Sum, Sum> {
        private static final long serialVersionUID = 1L;

        @Override
        public Sum createAccumulator() {
            return new Sum(0, 0);
        }

        @Override
        public Sum add(Checked value, Sum accumulator) {
            return new Sum(accumulator.keys() + 1, accumulator.checksum() + value.checksum());
        }

        @Override
        public Sum getResult(Sum accumulator) {
            return accumulator;
        }

        @Override
        public Sum merge(Sum a, Sum b) {
            return new Sum(a.keys() + b.keys(), a.checksum() + b.checksum());
        }
    }
}
