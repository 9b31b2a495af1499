package dev.cairn.it.linearizability;

/**
 * One client operation on one key (a znode used as a versioned register), as the client saw it.
 *
 * @param kind     READ (sync, then getData), WRITE (setData with version -1) or CAS (setData with
 *                 an expected version)
 * @param value    the value written (WRITE, CAS) or read (READ)
 * @param version  for READ the version read; for WRITE and CAS the version the write produced (OK)
 * @param expected for CAS the expected version
 * @param invokeNanos when the client issued it; {@code returnNanos} when it got the answer, or
 *                 {@link Long#MAX_VALUE} when it never learned the outcome (UNKNOWN)
 */
public record Op(
        int client,
        String key,
        Kind kind,
        Outcome outcome,
        String value,
        int version,
        int expected,
        long invokeNanos,
        long returnNanos) {
    public enum Kind {
        READ,
        WRITE,
        CAS
    }

    /** OK: took effect as reported; FAILED: definitely had no effect (BADVERSION); UNKNOWN: may or may not have. */
    public enum Outcome {
        OK,
        FAILED,
        UNKNOWN
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "read -> (" + value + ", v" + version + ")";
            case WRITE -> "write " + value + (outcome == Outcome.OK ? " -> v" + version : "");
            case CAS -> "cas v" + expected + " " + value + (outcome == Outcome.OK ? " -> v" + version : "");
        };
        return "c" + client + " " + key + " " + what + " " + outcome + " [" + invokeNanos + ", "
                + (returnNanos == Long.MAX_VALUE ? "inf" : returnNanos) + "]";
    }
}
