package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Emits the items of a collection; subtask i of p emits items i, i + p, i + 2p, ... Checkpointed: its state is the index of the next item it emits.
 */
public final class CollectionSource<T> extends StreamOperator<T> implements SourceOperator, CheckpointedOperator {
    /** The items, encoded with their codec when the program is built: the graph carries bytes, not objects. */
    public static final class Factory<T> implements OperatorFactory {
        private static final long serialVersionUID = 1L;
        private final byte[] encoded;
        private final int count;
        private final Codec<T> codec;

        public Factory(Collection<T> items, Codec<T> codec) {
            BytesOut out = new BytesOut();
            for (T item : items) codec.encode(item, out);
            this.encoded = out.toByteArray();
            this.count = items.size();
            this.codec = CodecReference.of(codec);
        }

        @Override
        public String kind() {
            return "collection of " + count;
        }

        @Override
        public StreamOperator<?> create() {
            List<T> items = new ArrayList<>(count);
            BytesIn in = new BytesIn(encoded);
            for (int i = 0; i < count; i++) items.add(codec.decode(in));
            return new CollectionSource<>(items);
        }
    }

    private static final int RECORDS_PER_CALL = 256;
    private final List<T> items;
    private int next = -1;
    private int restored = -1;
    private final java.util.List<int[]> restoredFrom = new java.util.ArrayList<>();

    CollectionSource(List<T> items) {
        this.items = items;
    }

    @Override
    public void open() {
        for (int[] from : restoredFrom) {
            if (restoredFrom.size() > 1 || from[0] != context.subtaskIndex() || from[1] != context.parallelism()) {
                throw new IllegalStateException("collection source " + name() + " ran at parallelism " + from[1]
                        + " and cannot be restored at parallelism " + context.parallelism());
            }
        }
        next = restored >= 0 ? restored : context.subtaskIndex();
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeInt(context.subtaskIndex());
        out.writeInt(context.parallelism());
        out.writeInt(next);
    }

    /** Only its own subtask's snapshot: a collection source cannot change its parallelism (checked in open). */
    @Override
    public void restoreState(BytesIn in) {
        restoredFrom.add(new int[] {in.readInt(), in.readInt()});
        restored = in.readInt();
    }

    @Override
    public boolean emitNext() {
        int step = context.parallelism();
        for (int n = 0; n < RECORDS_PER_CALL && next < items.size(); n++, next += step) {
            output.emit(items.get(next), Output.NO_TIMESTAMP);
        }
        return next < items.size();
    }
}
