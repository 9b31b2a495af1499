package dev.cairn.dataflow.internal.operators;

/** A user function or operator threw; names the operator, so the executor's error can. */
public final class OperatorFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operatorName;

    public OperatorFailure(String operatorName, Throwable cause) {
        super("operator '" + operatorName + "' failed: " + cause, cause);
        this.operatorName = operatorName;
    }

    public String operatorName() {
        return operatorName;
    }
}
