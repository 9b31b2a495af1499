package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.internal.graph.OperatorFactory;

/**
 * Passes on the first {@code limit} records it receives and drops the rest: both halves of
 * {@code Stream.take(n)}, one instance per task of the stream that is taken from (each stops
 * passing after n), then one instance of parallelism 1 that keeps n of those. The records it
 * drops are still computed upstream: a push pipeline has no way to tell its source to stop.
 */
public final class Take<T> extends StreamOperator<T> implements OneInputOperator<T> {
    /**
     * The operator's settings.
     *
     * @param limit the most records an instance passes on
     * @param last whether this is the one instance that gathers every task's first records (batch
     *     mode reads them task by task, in order)
     */
    public record Factory(long limit, boolean last) implements OperatorFactory {
        public Factory {
            if (limit < 0) throw new IllegalArgumentException("take needs n >= 0, got " + limit);
        }

        @Override
        public String kind() {
            return "take " + limit + (last ? "" : " per task");
        }

        @Override
        public StreamOperator<?> create() {
            return new Take<>(limit);
        }
    }

    private final long limit;
    private long passed;

    private Take(long limit) {
        this.limit = limit;
    }

    @Override
    public void processElement(T value, long timestamp) {
        if (passed >= limit) return;
        passed++;
        output.emit(value, timestamp);
    }
}
