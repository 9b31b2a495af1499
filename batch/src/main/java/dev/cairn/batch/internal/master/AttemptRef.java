package dev.cairn.batch.internal.master;

/**
 * One attempt of one task of one job. Requests name attempts as strings — a task id such as
 * {@code map-00003} and a number, or an attempt id such as {@code map-00003_2} — which are parsed
 * once, where they arrive ({@link #of}, {@link #parse}, {@link #fromProto}); inside the master
 * attempts are these values. {@link #attemptId} gives back the string form that users see in job
 * status and logs and that workers use, unchanged.
 *
 * @param stage MAP or REDUCE
 * @param task the task's index within its stage
 * @param number the attempt's number, from 1
 */
record AttemptRef(String jobId, MasterTask.Kind stage, int task, int number) {
    AttemptRef {
        if (task < 0) throw new IllegalArgumentException("task index must be >= 0, got " + task);
        if (number < 1) throw new IllegalArgumentException("attempt number must be >= 1, got " + number);
    }

    /**
     * @param taskId {@code map-NNNNN} or {@code reduce-NNNNN}
     * @throws IllegalArgumentException when {@code taskId} is neither, or {@code number} is below 1
     */
    static AttemptRef of(String jobId, String taskId, int number) {
        MasterTask.Kind stage;
        String index;
        if (taskId.startsWith("map-")) {
            stage = MasterTask.Kind.MAP;
            index = taskId.substring(4);
        } else if (taskId.startsWith("reduce-")) {
            stage = MasterTask.Kind.REDUCE;
            index = taskId.substring(7);
        } else {
            throw new IllegalArgumentException("not a task id: " + taskId);
        }
        try {
            return new AttemptRef(jobId, stage, Integer.parseInt(index), number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a task id: " + taskId, e);
        }
    }

    /**
     * @param attemptId {@code <task id>_<number>}, as {@link #attemptId} writes it
     * @throws IllegalArgumentException when it is not one
     */
    static AttemptRef parse(String jobId, String attemptId) {
        int sep = attemptId.lastIndexOf('_');
        if (sep < 0) throw new IllegalArgumentException("not an attempt id: " + attemptId);
        try {
            return of(jobId, attemptId.substring(0, sep), Integer.parseInt(attemptId.substring(sep + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an attempt id: " + attemptId, e);
        }
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

    static String taskId(MasterTask.Kind stage, int task) {
        return String.format("%s-%05d", stage == MasterTask.Kind.MAP ? "map" : "reduce", task);
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
