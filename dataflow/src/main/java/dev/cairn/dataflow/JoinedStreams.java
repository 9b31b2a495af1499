package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.CoGroupFunction;
import dev.cairn.dataflow.functions.JoinFunction;
import dev.cairn.dataflow.internal.operators.WindowJoinOperator;
import dev.cairn.dataflow.window.WindowAssigner;

/**
 * Two keyed streams joined within windows: records of the same key and the same (tumbling or
 * sliding) event-time window are matched when the window fires. Window joins keep every record of
 * a window until it fires; late records are dropped.
 */
public final class JoinedStreams<K, L, R> {
    private final KeyedStream<K, L> left;
    private final KeyedStream<K, R> right;

    JoinedStreams(KeyedStream<K, L> left, KeyedStream<K, R> right) {
        this.left = left;
        this.right = right;
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
