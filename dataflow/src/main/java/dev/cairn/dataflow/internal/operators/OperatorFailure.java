package dev.cairn.dataflow.internal.operators;

/**
 * A user function or operator threw; names the operator, so the executor's error can, and where
 * known the input record it failed on (a source that drives a chain of operators adds that, see
 * {@link #on}).
 */
public final class OperatorFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operatorName;
    private final String record;

    public OperatorFailure(String operatorName, Throwable cause) {
        this(operatorName, null, cause);
    }

    private OperatorFailure(String operatorName, String record, Throwable cause) {
        super("operator '" + operatorName + "' failed" + (record == null ? "" : " on " + record) + ": " + cause, cause);
        this.operatorName = operatorName;
        this.record = record;
    }

    public String operatorName() {
        return operatorName;
    }

    /**
     * Where {@code t} (an operator's failure) happened, for the end of a message: " (on the line at
     * byte offset 120 of /data/x.csv)", or "" if that is not known.
     */
    public static String location(Throwable t) {
        return t instanceof OperatorFailure f && f.record != null ? " (on " + f.record + ")" : "";
    }

    /**
     * This failure, saying which input it happened on (e.g. "the line at byte 120 of /data/x.csv");
     * this failure itself if it says so already (the operator closest to the record knows best).
     */
    public OperatorFailure on(String record) {
        if (this.record != null) return this;
        OperatorFailure located = new OperatorFailure(operatorName, record, getCause());
        located.setStackTrace(getStackTrace());
        return located;
    }
}
