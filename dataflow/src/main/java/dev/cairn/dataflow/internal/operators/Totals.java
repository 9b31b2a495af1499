package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.Total;
import dev.cairn.dataflow.functions.KeySelector;
import dev.cairn.dataflow.functions.MapFunction;
import dev.cairn.dataflow.functions.ReduceFunction;
import dev.cairn.dataflow.functions.ToLongFunction;
import java.io.Serializable;

/**
 * The pieces of a keyed sum ({@code KeyedStream.sum} and {@code count}): each record becomes a
 * {@link Total} of its key and value, reduced per key by {@link Add}. They are named classes so
 * that batch mode can recognize a sum and run it on bytes: the exchange into it pre-aggregates in
 * a table of encoded keys and long totals, and the sort's combiner adds encoded totals without
 * decoding them (see {@link TotalCodec} for the layout they rely on).
 */
public final class Totals {
    private Totals() {}

    /** A record's {@link Total}: its key and value. */
    public record ToTotal<T, K>(KeySelector<T, K> keySelector, ToLongFunction<T> value)
            implements MapFunction<T, Total<K>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Total<K> map(T record) throws Exception {
            return new Total<>(keySelector.getKey(record), value.applyAsLong(record));
        }
    }

    /** One, whatever the record: a count's value. */
    public record One<T>() implements ToLongFunction<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public long applyAsLong(T value) {
            return 1;
        }
    }

    /** A total's key. */
    public record KeyOf<K>() implements KeySelector<Total<K>, K> {
        private static final long serialVersionUID = 1L;

        @Override
        public K getKey(Total<K> total) {
            return total.key();
        }
    }

    /** Adds two totals of one key (wrapping on overflow, as long addition does). */
    public record Add<K>() implements ReduceFunction<Total<K>> {
        private static final long serialVersionUID = 1L;

        @Override
        public Total<K> reduce(Total<K> a, Total<K> b) {
            return new Total<>(a.key(), a.total() + b.total());
        }
    }

    /**
     * A total as its key's encoding followed by the total in eight bytes, big-endian, its sign bit
     * flipped (so that encodings sort as totals do). Whoever knows the key's length in an
     * encoding finds the total in its last eight bytes: {@link #totalAt}.
     */
    public static final class TotalCodec<K> implements Codec<Total<K>>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Codec<K> keyCodec;

        public TotalCodec(Codec<K> keyCodec) {
            this.keyCodec = CodecReference.of(keyCodec);
        }

        public Codec<K> keyCodec() {
            return keyCodec;
        }

        @Override
        public String id() {
            return "total(" + keyCodec.id() + ")";
        }

        @Override
        public void encode(Total<K> value, BytesOut out) {
            keyCodec.encode(value.key(), out);
            writeTotal(value.total(), out);
        }

        @Override
        public Total<K> decode(BytesIn in) {
            K key = keyCodec.decode(in);
            return new Total<>(key, in.readLong() ^ Long.MIN_VALUE);
        }

        /** Appends {@code total} as an encoding's last eight bytes. */
        public static void writeTotal(long total, BytesOut out) {
            out.writeLong(total ^ Long.MIN_VALUE);
        }

        /** The total in the eight bytes of {@code buf} from {@code offset}. */
        public static long totalAt(byte[] buf, int offset) {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (buf[offset + i] & 0xff);
            return v ^ Long.MIN_VALUE;
        }

        /** Writes {@code total} into the eight bytes of {@code buf} from {@code offset}. */
        public static void putTotal(byte[] buf, int offset, long total) {
            long v = total ^ Long.MIN_VALUE;
            for (int i = 7; i >= 0; i--) {
                buf[offset + i] = (byte) v;
                v >>>= 8;
            }
        }
    }
}
