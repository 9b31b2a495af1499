package dev.cairn.batch;

import java.util.List;

/**
 * A snapshot of one job as the master sees it.
 *
 * @param error why the job failed or was cancelled; empty otherwise
 * @param progress 0..1 over all tasks
 * @param finishTimeMs 0 while running
 */
public record JobStatus(
        String jobId,
        String name,
        JobState state,
        String error,
        List<StageStatus> stages,
        double progress,
        long submitTimeMs,
        long finishTimeMs,
        String output,
        long mapRecordsIn,
        long mapRecordsOut,
        long shuffleBytes,
        long reduceRecordsOut) {

    public JobStatus {
        stages = List.copyOf(stages);
    }

    public StageStatus stage(String stageName) {
        return stages.stream().filter(s -> s.name().equals(stageName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + stageName));
    }
}
