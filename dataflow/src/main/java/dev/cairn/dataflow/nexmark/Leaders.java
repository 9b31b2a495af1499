package dev.cairn.dataflow.nexmark;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.AggregateFunction;
import java.io.Serializable;
import java.util.Arrays;

/**
 * An accumulator of the entries with the highest score, ties all kept: each entry is
 * {@code arity} longs (Q5: the auction; Q7: auction and bidder). Mutable, to add without garbage.
 */
public final class Leaders implements Serializable {
    private static final long serialVersionUID = 1L;
    long best = Long.MIN_VALUE;
    final int arity;
    long[] entries;
    int count;

    public Leaders(int arity) {
        this.arity = arity;
        this.entries = new long[arity * 2];
    }

    public void offer(long score, long a, long b) {
        if (score < best) return;
        if (score > best) {
            best = score;
            count = 0;
        }
        if ((count + 1) * arity > entries.length) entries = Arrays.copyOf(entries, entries.length * 2);
        entries[count * arity] = a;
        if (arity > 1) entries[count * arity + 1] = b;
        count++;
    }

    public void merge(Leaders other) {
        for (int i = 0; i < other.count; i++) {
            offer(other.best, other.entries[i * other.arity], other.arity > 1 ? other.entries[i * other.arity + 1] : 0);
        }
    }

    public long best() {
        return best;
    }

    public int size() {
        return count;
    }

    public long entry(int index, int field) {
        return entries[index * arity + field];
    }

    /** The leaders of a stream, as an aggregate function over items scored by the caller. */
    public interface Scoring<T> extends Serializable {
        void offer(Leaders leaders, T item);
    }

    public static <T> AggregateFunction<T, Leaders, Leaders> aggregate(int arity, Scoring<T> scoring) {
        return new AggregateFunction<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public Leaders createAccumulator() {
                return new Leaders(arity);
            }

            @Override
            public Leaders add(T value, Leaders accumulator) {
                scoring.offer(accumulator, value);
                return accumulator;
            }

            @Override
            public Leaders getResult(Leaders accumulator) {
                return accumulator;
            }

            @Override
            public Leaders merge(Leaders a, Leaders b) {
                a.merge(b);
                return a;
            }
        };
    }

    /** Best score, arity, count, then the entries. */
    public static final Codec<Leaders> CODEC = new LeadersCodec();

    private static final class LeadersCodec implements Codec<Leaders>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String id() {
            return "nexmark-leaders";
        }

        @Override
        public void encode(Leaders value, BytesOut out) {
            Codecs.LONG.encode(value.best, out);
            Codecs.INT.encode(value.arity, out);
            Codecs.INT.encode(value.count, out);
            for (int i = 0; i < value.count * value.arity; i++) Codecs.LONG.encode(value.entries[i], out);
        }

        @Override
        public Leaders decode(BytesIn in) {
            long best = Codecs.LONG.decode(in);
            Leaders l = new Leaders(Codecs.INT.decode(in));
            int count = Codecs.INT.decode(in);
            l.best = best;
            l.entries = new long[Math.max(2, count) * l.arity];
            for (int i = 0; i < count * l.arity; i++) l.entries[i] = Codecs.LONG.decode(in);
            l.count = count;
            return l;
        }
    }
}
