package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;

/**
 * The operator a sort's range exchange leads into. Batch mode delivers its input in key order
 * (the exchange sorts each partition by key, and partitions follow one another in key order), so
 * the operator passes records on as they come, up to a limit (a top N). In a stream there is no
 * end to sort up to: the stream form is refused ({@link Factory#create}).
 */
public final class SortedPassThrough<T> extends StreamOperator<T> implements OneInputOperator<T> {
    /**
     * The operator, created only in batch mode.
     *
     * @param limit the most records it passes on (over all its input: a top N has one task), or
     *     -1 for all of them
     */
    public record Factory(long limit) implements OperatorFactory {
        @Override
        public String kind() {
            return limit < 0 ? "sort" : "top " + limit;
        }

        /** The stream form: an unbounded stream has no last record to sort up to. */
        @Override
        public StreamOperator<?> create() {
            throw new IllegalStateException(
                    "sortBy and topN run in batch mode (RuntimeMode.BATCH, submit --mode batch), on bounded input");
        }

        StreamOperator<?> createSorted() {
            return new SortedPassThrough<>(limit);
        }
    }

    private final long limit;
    private long passed;

    private SortedPassThrough(long limit) {
        this.limit = limit;
    }

    @Override
    public void processElement(T value, long timestamp) {
        if (limit >= 0 && passed >= limit) return;
        passed++;
        output.emit(value, timestamp);
    }
}
