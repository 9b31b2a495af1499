package dev.cairn.dataflow;

/** An execution failed: names the operator and subtask that failed first; the cause is theirs. */
public final class DataflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operatorName;

    public DataflowException(String message, String operatorName, Throwable cause) {
        super(message, cause);
        this.operatorName = operatorName;
    }

    /** The failed operator, or null when the failure was not in one. */
    public String operatorName() {
        return operatorName;
    }
}
