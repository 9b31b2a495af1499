package dev.cairn.batch;

import java.util.List;

/**
 * Task counts of one stage of a job.
 *
 * @param failed failed attempts so far (each retried until the attempt limit)
 * @param retried tasks that needed more than one attempt, or whose output was lost and re-made
 * @param stopped tasks unfinished when the job ended (failed or cancelled): the master dropped them and
 *     told the workers to kill their attempts, so none is pending or running any more
 * @param recordsIn records the tasks' current or last attempts read (lines, or records of parents)
 * @param recordsOut records they wrote (to partitions for later stages, or to the job's output)
 * @param bytesOut bytes of partitions they wrote for later stages; 0 for a stage writing the output
 * @param parents the stages it reads (parents, then broadcasts): the edges of the job's DAG
 */
public record StageStatus(
        String name,
        int total,
        int pending,
        int running,
        int done,
        int failed,
        int retried,
        int stopped,
        long recordsIn,
        long recordsOut,
        long bytesOut,
        List<String> parents) {
    public StageStatus {
        parents = List.copyOf(parents);
    }
}
