package dev.cairn.dataflow.internal.operators;

/** An operator with two logical inputs (joins). */
public interface TwoInputOperator<L, R> {
    void processElement1(L value, long timestamp) throws Exception;

    void processElement2(R value, long timestamp) throws Exception;
}
