package dev.cairn.batch;

/**
 * A named count a task adds to (malformed records skipped, say), from {@link TaskContext#counter}.
 * The master sums each counter over the job's tasks — for every finished task, the attempt that
 * succeeded; failed attempts count for nothing — and {@code job status} shows the sums. Cairn's
 * own counters (records, bytes, spills, shuffle bytes) are in the group {@value #BUILT_IN_GROUP}.
 *
 * <p>Not thread-safe: increment from the task's thread.
 */
public interface Counter {
    /** The group of Cairn's built-in counters. */
    String BUILT_IN_GROUP = "cairn";

    void increment(long delta);

    default void increment() {
        increment(1);
    }

    /** This attempt's value so far. */
    long value();
}
