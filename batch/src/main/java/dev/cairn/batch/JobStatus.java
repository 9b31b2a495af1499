package dev.cairn.batch;

import java.util.List;

/**
 * A snapshot of one job as the master sees it.
 *
 * @param error why the job failed or was cancelled; empty otherwise
 * @param progress 0..1 over all tasks
 * @param finishTimeMs 0 while running
 * @param inputLocalBytes input the map tasks read on their own node (a local file, or a store replica there)
 * @param inputRemoteBytes input the map tasks read from other nodes
 * @param dataLocalMaps finished map tasks that ran on a node holding their split
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
        long reduceRecordsOut,
        long inputLocalBytes,
        long inputRemoteBytes,
        int dataLocalMaps) {

    public JobStatus {
        stages = List.copyOf(stages);
    }

    /** Input bytes the map tasks read so far. */
    public long inputBytes() {
        return inputLocalBytes + inputRemoteBytes;
    }

    public StageStatus stage(String stageName) {
        return stages.stream().filter(s -> s.name().equals(stageName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + stageName));
    }
}
