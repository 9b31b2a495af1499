package dev.cairn.batch;

/** Life cycle of a job: RUNNING, then exactly one of the three terminal states. */
public enum JobState {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this != RUNNING;
    }
}
