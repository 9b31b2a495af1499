package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.CoGroupFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.JoinFunction;
import dev.cairn.dataflow.functions.KeyedCoGroupFunction;
import dev.cairn.dataflow.internal.batch.SortedCoGroup;
import dev.cairn.dataflow.internal.operators.WindowJoinOperator;
import dev.cairn.dataflow.window.WindowAssigner;

/**
 * Two keyed streams joined: within windows, records of the same key and the same (tumbling or
 * sliding) event-time window are matched when the window fires; window joins keep every record of
 * a window until it fires, and late records are dropped. Unwindowed ({@link #apply},
 * {@link #leftOuterJoin}, {@link #coGroup}), over the whole input: batch mode only.
 */
public final class JoinedStreams<K, L, R> {
    private final KeyedStream<K, L> left;
    private final KeyedStream<K, R> right;

    JoinedStreams(KeyedStream<K, L> left, KeyedStream<K, R> right) {
        this.left = left;
        this.right = right;
    }

    /**
     * Every pair (left, right) of one key over the whole input, as an inner join. Batch mode
     * only: a sort-merge join, holding one key's records at a time.
     */
    public <O> Stream<O> apply(JoinFunction<L, R, O> function, Codec<O> outCodec) {
        return join(
                        (K key, Iterable<L> lefts, Iterable<R> rights, Collector<O> out) -> {
                            for (L l : lefts) for (R r : rights) out.collect(function.join(l, r));
                        },
                        function,
                        false,
                        outCodec)
                .name("Join");
    }

    /**
     * Every left record with each right record of its key, or with null where its key has none:
     * a left outer join. Batch mode only.
     */
    public <O> Stream<O> leftOuterJoin(JoinFunction<L, R, O> function, Codec<O> outCodec) {
        return join(
                        (K key, Iterable<L> lefts, Iterable<R> rights, Collector<O> out) -> {
                            boolean any = rights.iterator().hasNext();
                            for (L l : lefts) {
                                if (!any) out.collect(function.join(l, null));
                                else for (R r : rights) out.collect(function.join(l, r));
                            }
                        },
                        function,
                        true,
                        outCodec)
                .name("LeftOuterJoin");
    }

    /**
     * Each key's records of both sides at once, over the whole input. Batch mode only.
     *
     * @throws IllegalArgumentException if the two sides' keys are encoded differently, so that
     *     equal keys could not meet
     */
    public <O> Stream<O> coGroup(KeyedCoGroupFunction<K, L, R, O> function, Codec<O> outCodec) {
        return join(function, null, false, outCodec);
    }

    /**
     * The join node: a co-group, and for inner and left outer joins the function of each pair,
     * so that batch mode may run it as a broadcast hash join when the right side is small.
     */
    private <O> Stream<O> join(
            KeyedCoGroupFunction<K, L, R, O> function,
            JoinFunction<L, R, O> pairs,
            boolean leftOuter,
            Codec<O> outCodec) {
        Dataflow flow = left.input.flow;
        if (right.input.flow != flow) throw new IllegalArgumentException("cannot join streams of different dataflows");
        if (!left.keyCodec.id().equals(right.keyCodec.id()))
            throw new IllegalArgumentException(
                    "cannot join on keys of different types: " + left.keyCodec.id() + " and " + right.keyCodec.id());
        int id = flow.addOperator(
                "CoGroup",
                flow.parallelismOf(left.input.nodeId),
                2,
                new SortedCoGroup.Factory<>(
                        left.keySelector, right.keySelector, function, pairs, leftOuter, left.keyCodec));
        flow.connect(left.partitioned(), id, 0);
        flow.connect(right.partitioned(), id, 1);
        return new Stream<>(flow, id, null, outCodec);
    }

    public Windowed window(WindowAssigner assigner) {
        if (assigner.isMerging())
            throw new IllegalArgumentException("window joins support tumbling and sliding windows, not " + assigner);
        return new Windowed(assigner);
    }

    /** The join over one kind of window. */
    public final class Windowed {
        private final WindowAssigner assigner;

        private Windowed(WindowAssigner assigner) {
            this.assigner = assigner;
        }

        /** Every pair (left, right) of the same key and window, as an inner join. */
        public <O> Stream<O> apply(JoinFunction<L, R, O> function, Codec<O> outCodec) {
            return coGroup(WindowJoinOperator.innerJoin(function), outCodec).name("WindowJoin");
        }

        /** All left and right records of each key and window, at once. */
        public <O> Stream<O> coGroup(CoGroupFunction<K, L, R, O> function, Codec<O> outCodec) {
            Dataflow flow = left.input.flow;
            if (right.input.flow != flow)
                throw new IllegalArgumentException("cannot join streams of different dataflows");
            int parallelism = flow.parallelismOf(left.input.nodeId);
            int id = flow.addOperator(
                    "WindowCoGroup",
                    parallelism,
                    2,
                    new WindowJoinOperator.Factory<>(
                            left.keySelector,
                            right.keySelector,
                            left.keyCodec,
                            left.input.codec,
                            right.input.codec,
                            assigner,
                            function));
            flow.connect(left.partitioned(), id, 0);
            flow.connect(right.partitioned(), id, 1);
            return new Stream<>(flow, id, null, outCodec);
        }
    }
}
