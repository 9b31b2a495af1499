package dev.cairn.batch;

/**
 * One task of a job as the master sees it, for the dashboard's task table.
 *
 * @param taskId the task's id within its job, e.g. {@code map-00003} or {@code reduce-00001}
 * @param stage {@code map} or {@code reduce}
 * @param state PENDING, RUNNING or SUCCEEDED; STOPPED once the job ended without the task finishing
 * @param worker the worker of the running attempt, else of the successful one; empty if neither
 * @param attempt attempts launched so far (0 while never launched)
 * @param failures failed attempts, counted against the job's attempt limit
 * @param progress 0..1 of the running attempt; 1 once succeeded
 * @param lastError the last failed attempt's cause; empty if none failed
 * @param durationMs how long the successful attempt ran, or the running one has run so far; -1 if neither
 * @param inputBytes input the current or last attempt read (file stages: of its split; 0 for others)
 * @param locality where the attempt ran against its input: {@value #LOCALITY_NODE_LOCAL} (a node holding
 *     its split), {@value #LOCALITY_ANY} (another node), {@value #LOCALITY_NONE} (the input has no
 *     location: a local file, or parents' partitions), or empty while the task never ran
 */
public record TaskStatus(
        String taskId,
        String stage,
        int index,
        String state,
        String worker,
        int attempt,
        int failures,
        double progress,
        String lastError,
        long durationMs,
        long inputBytes,
        String locality) {
    public static final String LOCALITY_NODE_LOCAL = "node-local";
    public static final String LOCALITY_ANY = "any";
    public static final String LOCALITY_NONE = "none";
}
