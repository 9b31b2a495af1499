package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;

/**
 * The operator {@code Stream.cache()} adds: an identity. In a stream it is chained like a map and
 * changes nothing. In batch mode {@link BatchPlanner} never chains it to its producer: the edge
 * into it is an exchange, so the cached dataset is written once as its producer stage's
 * partitioned output, and the operator roots the stage that reads those partitions and feeds every
 * consumer of the dataset. Over a forward edge the exchange keeps the producer's partitioning and
 * order ({@link OrderedOutput}): partition i holds task i's records, in the order they came.
 */
public final class Materialize<T> extends StreamOperator<T> implements OneInputOperator<T> {
    /** The factory: the planner recognizes the operator by it. */
    public record Factory() implements OperatorFactory {
        @Override
        public String kind() {
            return "cache";
        }

        @Override
        public StreamOperator<?> create() {
            return new Materialize<>();
        }
    }

    @Override
    public void processElement(T value, long timestamp) {
        output.emit(value, timestamp);
    }
}
