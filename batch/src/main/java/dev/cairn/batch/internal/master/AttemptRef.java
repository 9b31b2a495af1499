package dev.cairn.batch.internal.master;

import java.util.regex.Pattern;

/**
 * One attempt of one task of one job. Requests name attempts as strings — a task id such as
 * {@code map-00003} (its stage's name and its index there) and a number, or an attempt id such
 * as {@code map-00003_2} — which are parsed once, where they arrive ({@link #of}, {@link #parse},
 * {@link #fromProto}); inside the master attempts are these values. {@link #attemptId} gives back
 * the string form that users see in job status and logs and that workers use, unchanged.
 *
 * @param stage the name of the task's stage: {@code map} or {@code reduce} in a MapReduce job
 * @param task the task's index within its stage
 * @param number the attempt's number, from 1
 */
record AttemptRef(String jobId, String stage, int task, int number) {
    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9]*");
    private static final Pattern INDEX = Pattern.compile("[0-9]{1,9}");

    AttemptRef {
        if (!STAGE.matcher(stage).matches()) throw new IllegalArgumentException("not a stage name: " + stage);
        if (task < 0) throw new IllegalArgumentException("task index must be >= 0, got " + task);
        if (number < 1) throw new IllegalArgumentException("attempt number must be >= 1, got " + number);
    }

    /**
     * @param taskId {@code <stage>-NNNNN}
     * @throws IllegalArgumentException when {@code taskId} is not one, or {@code number} is below 1
     */
    static AttemptRef of(String jobId, String taskId, int number) {
        int sep = taskId.lastIndexOf('-');
        if (sep < 1
                || !STAGE.matcher(taskId.substring(0, sep)).matches()
                || !INDEX.matcher(taskId.substring(sep + 1)).matches()) {
            throw new IllegalArgumentException("not a task id: " + taskId);
        }
        return new AttemptRef(jobId, taskId.substring(0, sep), Integer.parseInt(taskId.substring(sep + 1)), number);
    }

    /**
     * @param attemptId {@code <task id>_<number>}, as {@link #attemptId} writes it
     * @throws IllegalArgumentException when it is not one
     */
    static AttemptRef parse(String jobId, String attemptId) {
        int sep = attemptId.lastIndexOf('_');
        if (sep < 0 || !INDEX.matcher(attemptId.substring(sep + 1)).matches())
            throw new IllegalArgumentException("not an attempt id: " + attemptId);
        return of(jobId, attemptId.substring(0, sep), Integer.parseInt(attemptId.substring(sep + 1)));
    }

    static AttemptRef fromProto(dev.cairn.batch.internal.proto.AttemptRef proto) {
        return of(proto.getJobId(), proto.getTaskId(), proto.getAttempt());
    }

    dev.cairn.batch.internal.proto.AttemptRef toProto() {
        return dev.cairn.batch.internal.proto.AttemptRef.newBuilder()
                .setJobId(jobId)
                .setTaskId(taskId())
                .setAttempt(number)
                .build();
    }

    static String taskId(String stage, int task) {
        return String.format("%s-%05d", stage, task);
    }

    String taskId() {
        return taskId(stage, task);
    }

    /** {@code map-00003_2}: the task id and the attempt number. */
    String attemptId() {
        return taskId() + "_" + number;
    }

    @Override
    public String toString() {
        return jobId + "/" + attemptId();
    }
}
