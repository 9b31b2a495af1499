package dev.cairn.batch.stage;

/**
 * The code a stage's tasks run. The runtime creates one instance per task attempt (public
 * no-argument constructor, the class named in the stage's spec, loaded in the job's class
 * loader) and calls {@link #run} once on the attempt's thread. What it throws fails the attempt,
 * which is retried up to the job's limit; the job then fails with it as the cause.
 */
public interface StageProgram {
    /**
     * Reads the task's input and writes its output through {@code context}; returns when done.
     * Output written to the context counts only once this returns normally.
     */
    void run(StageContext context) throws Exception;
}
