package dev.cairn.dataflow.internal.runtime;

/** A subtask was interrupted because the execution is being cancelled; not a failure of its own. */
public final class CancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CancelledException(InterruptedException cause) {
        super("cancelled", cause);
    }
}
