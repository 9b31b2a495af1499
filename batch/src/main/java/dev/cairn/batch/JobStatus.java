package dev.cairn.batch;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of one job as the master sees it.
 *
 * @param owner the user the job belongs to: only they and admins may see or cancel it in a secure cluster
 * @param error why the job failed or was cancelled; empty otherwise
 * @param progress 0..1 over all tasks
 * @param finishTimeMs 0 while running
 * @param inputLocalBytes input the map tasks read on their own node (a local file, or a store replica there)
 * @param inputRemoteBytes input the map tasks read from other nodes
 * @param dataLocalMaps finished map tasks that ran on a node holding their split
 * @param locatedMaps map tasks whose split has known locations (store blocks); locality means something only for them
 * @param counters every counter ("group.name") summed over the tasks: for a finished task its successful
 *     attempt's, for a running one its current attempt's; Cairn's own are in the group {@value Counter#BUILT_IN_GROUP}
 * @param decisions what the master decided while the job ran, adapting to it (a straggler's
 *     speculative copy, which attempt won), oldest first, each as {@code "+12.3s what and why"}
 */
public record JobStatus(
        String jobId,
        String name,
        String owner,
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
        int dataLocalMaps,
        int locatedMaps,
        Map<String, Long> counters,
        List<String> decisions) {

    public JobStatus {
        stages = List.copyOf(stages);
        decisions = List.copyOf(decisions);
        counters = Collections.unmodifiableMap(new TreeMap<>(counters));
    }

    /** A counter's sum, 0 if no task has it. */
    public long counter(String group, String name) {
        return counters.getOrDefault(group + "." + name, 0L);
    }

    /** The counters not in Cairn's built-in group. */
    public Map<String, Long> userCounters() {
        Map<String, Long> out = new TreeMap<>(counters);
        out.keySet().removeIf(k -> k.startsWith(Counter.BUILT_IN_GROUP + "."));
        return Collections.unmodifiableMap(out);
    }

    /** Input bytes the map tasks read so far. */
    public long inputBytes() {
        return inputLocalBytes + inputRemoteBytes;
    }

    public StageStatus stage(String stageName) {
        return stages.stream()
                .filter(s -> s.name().equals(stageName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + stageName));
    }
}
