package dev.cairn.batch;

import java.util.Map;
import java.util.Optional;

/** What a running task knows about itself and its job. */
public interface TaskContext {
    String jobId();

    /** e.g. {@code map-00003} or {@code reduce-00000}. */
    String taskId();

    /** 1 for the first attempt. */
    int attempt();

    /**
     * The user the job belongs to (who submitted it): what the task writes is to be created on
     * that user's behalf.
     */
    String owner();

    /** The job's parameters as given in {@link JobSpec#params()}. */
    Map<String, String> params();

    /** A map task's input; empty for a reduce task. */
    Optional<TaskInput> input();

    /**
     * The counter {@code group.name} of this attempt, made at first use; the same object for the
     * same names. Names are non-empty and without dots in {@code name}.
     *
     * @throws IllegalArgumentException for a bad name, or the group {@value Counter#BUILT_IN_GROUP}, which is Cairn's
     */
    Counter counter(String group, String name);

    /** A required parameter; fails with a clear message if absent. */
    default String param(String name) {
        String v = params().get(name);
        if (v == null) throw new IllegalArgumentException("job parameter '" + name + "' is not set");
        return v;
    }
}
