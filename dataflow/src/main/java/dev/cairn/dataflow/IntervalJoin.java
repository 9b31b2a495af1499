package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.ProcessJoinFunction;
import dev.cairn.dataflow.internal.operators.IntervalJoinOperator;
import java.time.Duration;

/**
 * Joins two keyed streams on the key and on time: left record {@code a} and right record
 * {@code b} match when {@code b.ts} is in {@code [a.ts + lower, a.ts + upper]} (bounds
 * inclusive, may be negative). Each side's records are kept until the watermark shows no match
 * can come; records already late when they arrive are dropped. Outputs carry
 * {@code max(a.ts, b.ts)}.
 */
public final class IntervalJoin<K, L, R> {
    private final KeyedStream<K, L> left;
    private final KeyedStream<K, R> right;

    IntervalJoin(KeyedStream<K, L> left, KeyedStream<K, R> right) {
        this.left = left;
        this.right = right;
    }

    public Bounded between(Duration lower, Duration upper) {
        if (lower.compareTo(upper) > 0)
            throw new IllegalArgumentException("lower bound " + lower + " above upper bound " + upper);
        return new Bounded(lower.toMillis(), upper.toMillis());
    }

    /** The join with its bounds. */
    public final class Bounded {
        private final long lowerMillis;
        private final long upperMillis;

        private Bounded(long lowerMillis, long upperMillis) {
            this.lowerMillis = lowerMillis;
            this.upperMillis = upperMillis;
        }

        public <O> Stream<O> process(ProcessJoinFunction<L, R, O> function, Codec<O> outCodec) {
            Dataflow flow = left.input.flow;
            if (right.input.flow != flow)
                throw new IllegalArgumentException("cannot join streams of different dataflows");
            int id = flow.addOperator(
                    "IntervalJoin",
                    flow.parallelismOf(left.input.nodeId),
                    2,
                    new IntervalJoinOperator.Factory<>(
                            left.keySelector,
                            right.keySelector,
                            left.keyCodec,
                            left.input.codec,
                            right.input.codec,
                            lowerMillis,
                            upperMillis,
                            function));
            flow.connect(left.partitioned(), id, 0);
            flow.connect(right.partitioned(), id, 1);
            return new Stream<>(flow, id, null, outCodec);
        }
    }
}
