package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.StreamOperator;

/**
 * A chained operator as a consumer: records and watermarks are direct calls. A failure of the
 * operator is wrapped, once, in an {@link OperatorFailure} naming it.
 */
public final class ChainedDownstream<T> implements Downstream<T> {
    private final OneInputOperator<T> input;
    private final StreamOperator<?> operator;
    private SubtaskMetrics.Operator metrics;

    /** Counts the records this operator takes in into {@code metrics}. */
    void measure(SubtaskMetrics.Operator metrics) {
        this.metrics = metrics;
    }

    public ChainedDownstream(OneInputOperator<T> input, StreamOperator<?> operator) {
        this.input = input;
        this.operator = operator;
    }

    @Override
    public void accept(T value, long timestamp) {
        if (metrics != null) SubtaskMetrics.increment(metrics.recordsIn, 1);
        try {
            input.processElement(value, timestamp);
        } catch (OperatorFailure | CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailure(operator.name(), e);
        }
    }

    @Override
    public void watermark(long watermark) {
        try {
            operator.processWatermark(watermark);
        } catch (OperatorFailure | CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailure(operator.name(), e);
        }
    }

    @Override
    public void idleness(boolean idle) {
        operator.processIdleness(idle);
    }
}
