package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Consumes the records of a stream, one subtask instance per parallel subtask. Calls to one
 * instance come from one thread.
 */
@FunctionalInterface
public interface SinkFunction<T> extends Serializable {
    void invoke(T value, long timestamp) throws Exception;

    /** Called once per subtask after the last record of a bounded input. */
    default void finish() throws Exception {}
}
