package dev.cairn.batch;

import java.util.Map;

/** What a running task knows about itself and its job. */
public interface TaskContext {
    String jobId();

    /** e.g. {@code map-00003} or {@code reduce-00000}. */
    String taskId();

    /** 1 for the first attempt. */
    int attempt();

    /** The job's parameters as given in {@link JobSpec#params()}. */
    Map<String, String> params();

    /** A required parameter; fails with a clear message if absent. */
    default String param(String name) {
        String v = params().get(name);
        if (v == null) throw new IllegalArgumentException("job parameter '" + name + "' is not set");
        return v;
    }
}
