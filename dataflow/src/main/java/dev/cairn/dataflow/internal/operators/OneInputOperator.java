package dev.cairn.dataflow.internal.operators;

/** An operator with one logical input. */
public interface OneInputOperator<I> {
    void processElement(I value, long timestamp) throws Exception;
}
