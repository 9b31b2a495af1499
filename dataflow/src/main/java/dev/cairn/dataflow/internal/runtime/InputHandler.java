package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TwoInputOperator;

/** Delivers a record taken from a batch to one logical input of a subtask's head operator. */
@FunctionalInterface
interface InputHandler {
    void accept(Object value, long timestamp) throws Exception;

    /** Names the head operator in any failure that is not already named. */
    static void deliver(InputHandler handler, StreamOperator<?> head, Object value, long timestamp) {
        try {
            handler.accept(value, timestamp);
        } catch (OperatorFailure | CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailure(head.name(), e);
        }
    }

    @SuppressWarnings("unchecked") // the graph connects an edge carrying I only to an input of type I
    static <I> InputHandler of(OneInputOperator<I> operator) {
        return (value, timestamp) -> operator.processElement((I) value, timestamp);
    }

    @SuppressWarnings("unchecked") // as above, for the left input
    static <L, R> InputHandler left(TwoInputOperator<L, R> operator) {
        return (value, timestamp) -> operator.processElement1((L) value, timestamp);
    }

    @SuppressWarnings("unchecked") // as above, for the right input
    static <L, R> InputHandler right(TwoInputOperator<L, R> operator) {
        return (value, timestamp) -> operator.processElement2((R) value, timestamp);
    }
}
