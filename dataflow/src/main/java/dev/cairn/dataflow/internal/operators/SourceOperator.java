package dev.cairn.dataflow.internal.operators;

/** An operator without inputs that produces records when asked. */
public interface SourceOperator {
    /**
     * Emits the next few records (at least one unless the source is done).
     *
     * @return false once the source has no more records (bounded input)
     */
    boolean emitNext() throws Exception;
}
