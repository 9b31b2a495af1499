package dev.cairn.batch.internal.worker;

/** A reduce task could not get one map attempt's output; the master re-runs that map. */
final class FetchFailure extends TaskFailure {
    final String mapAttempt;

    FetchFailure(String mapAttempt, String endpoint, Throwable cause) {
        super("cannot fetch output of " + mapAttempt + " from " + endpoint, cause);
        this.mapAttempt = mapAttempt;
    }
}
