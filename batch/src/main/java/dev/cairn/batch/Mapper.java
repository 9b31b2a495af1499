package dev.cairn.batch;

/**
 * Turns one input record into zero or more intermediate key/value pairs.
 *
 * <p>A new instance is created (public no-argument constructor) for every task attempt, in the
 * job's own class loader, and used by one thread; instances may keep state between records.
 * An exception thrown from any method fails the task attempt; the task is retried elsewhere up
 * to the job's attempt limit, then the job fails with that exception as the cause.
 */
public interface Mapper<KI, VI, KO, VO> {

    /** Called once before the first record. */
    default void setup(TaskContext context) throws Exception {}

    void map(KI key, VI value, Emitter<KO, VO> out) throws Exception;

    /** Called once after the last record; may still emit. */
    default void cleanup(Emitter<KO, VO> out) throws Exception {}
}
