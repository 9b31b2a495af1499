package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.internal.graph.OperatorFactory;
import java.util.List;

/** Emits the items of a list; subtask i of p emits items i, i + p, i + 2p, ... */
public final class CollectionSource<T> extends StreamOperator<T> implements SourceOperator {
    public record Factory<T>(List<T> items) implements OperatorFactory {
        @Override
        public String kind() {
            return "collection of " + items.size();
        }

        @Override
        public StreamOperator<?> create() {
            return new CollectionSource<>(items);
        }
    }

    private static final int RECORDS_PER_CALL = 256;
    private final List<T> items;
    private int next = -1;

    CollectionSource(List<T> items) {
        this.items = items;
    }

    @Override
    public void open() {
        next = context.subtaskIndex();
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
