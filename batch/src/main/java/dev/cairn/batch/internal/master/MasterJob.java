package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobState;
import dev.cairn.batch.StageSpec;
import dev.cairn.batch.TaskStatus;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.StageStatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A submitted job: its stages and their tasks. Owned by the master's loop thread. */
final class MasterJob {
    final String id;
    final JobGraph graph;
    /** A MapReduce job's spec, which its map and reduce tasks run from; null for other graphs. */
    final JobSpecProto specProto;
    /** The user the job belongs to: who may see and cancel it (with admins), on whose behalf it writes. */
    final String owner;

    final JobOutput output;
    final Path jar;
    final int maxAttempts;
    /** In the graph's order: parents before the stages that read them. */
    final List<MasterStage> stages = new ArrayList<>();

    private final Map<String, MasterStage> stagesByName = new HashMap<>();
    final long submitTimeMs;

    JobState state = JobState.RUNNING;
    String error = "";
    long finishTimeMs;
    int fetchFailures;
    /** Every task is done and the output is being committed, off the loop; the job ends when that does. */
    boolean committing;
    /** What the master decided while the job ran (speculation, re-made outputs), oldest first, each with its time. */
    final List<String> decisions = new ArrayList<>();

    /** @param splits each file stage's splits, by stage name */
    MasterJob(
            String id,
            JobGraph graph,
            JobSpecProto specProto,
            String owner,
            JobOutput output,
            Path jar,
            Map<String, List<InputSplit>> splits,
            int maxAttempts,
            long submitTimeMs,
            long nowNanos) {
        this.id = id;
        this.graph = graph;
        this.specProto = specProto;
        this.owner = owner;
        this.output = output;
        this.jar = jar;
        this.maxAttempts = maxAttempts;
        this.submitTimeMs = submitTimeMs;
        for (StageSpec spec : graph.stages()) {
            // Broadcast parents are parents too: the stage waits for them and re-makes their output.
            List<MasterStage> parents = java.util.stream.Stream.concat(
                            spec.parents().stream(), spec.broadcasts().stream())
                    .map(stagesByName::get)
                    .toList();
            MasterStage stage = new MasterStage(
                    id, stages.size(), spec, parents, splits.getOrDefault(spec.name(), List.of()), nowNanos);
            stages.add(stage);
            stagesByName.put(stage.name, stage);
        }
    }

    String name() {
        return graph.name();
    }

    /** Records a decision, as {@code "+12.3s <what>"} from the job's submission; the last 1,000 are kept. */
    void decide(long nowMs, String what) {
        if (decisions.size() == 1_000) decisions.remove(0);
        decisions.add(String.format(java.util.Locale.ROOT, "+%.1fs %s", (nowMs - submitTimeMs) / 1000.0, what));
    }

    MasterStage stage(String name) {
        return stagesByName.get(name);
    }

    /** The task {@code attempt} is an attempt of, or null if this job has no such task. */
    MasterTask task(AttemptRef attempt) {
        if (!attempt.jobId().equals(id)) return null;
        MasterStage stage = stagesByName.get(attempt.stage());
        return stage == null ? null : stage.task(attempt.task());
    }

    /** Every task, stage by stage. */
    Stream<MasterTask> tasks() {
        return stages.stream().flatMap(s -> s.tasks.stream());
    }

    boolean allDone() {
        for (MasterStage s : stages) if (!s.done()) return false;
        return true;
    }

    JobStatusProto status() {
        double done = tasks().mapToDouble(t -> t.status() == MasterTask.Status.SUCCEEDED
                        ? 1
                        : t.status() == MasterTask.Status.RUNNING ? t.progress : 0)
                .sum();
        long total = tasks().count();
        List<MasterTask> fileTasks = stages.stream()
                .filter(MasterStage::readsFiles)
                .flatMap(s -> s.tasks.stream())
                .toList();
        JobStatusProto.Builder b = JobStatusProto.newBuilder()
                .setJobId(id)
                .setName(graph.name())
                .setOwner(owner)
                .setState(state.name())
                .setError(error)
                .setProgress(state == JobState.SUCCEEDED ? 1.0 : total == 0 ? 0 : done / total)
                .setSubmitTimeMs(submitTimeMs)
                .setFinishTimeMs(finishTimeMs)
                .setOutput(output.output())
                .setMapRecordsIn(fileTasks.stream().mapToLong(t -> t.recordsIn).sum())
                .setMapRecordsOut(
                        fileTasks.stream().mapToLong(t -> t.recordsOut).sum())
                .setShuffleBytes(tasks().filter(t -> t.writesPartitions)
                        .mapToLong(t -> t.bytesOut)
                        .sum())
                .setReduceRecordsOut(tasks().filter(t -> !t.writesPartitions)
                        .mapToLong(t -> t.recordsOut)
                        .sum())
                .setInputLocalBytes(
                        fileTasks.stream().mapToLong(t -> t.inputLocalBytes).sum())
                .setInputRemoteBytes(
                        fileTasks.stream().mapToLong(t -> t.inputRemoteBytes).sum())
                .setDataLocalMaps((int) fileTasks.stream()
                        .filter(t -> t.status() == MasterTask.Status.SUCCEEDED
                                && t.succeeded().dataLocal())
                        .count())
                .setLocatedMaps((int) fileTasks.stream()
                        .filter(t -> !t.split().hosts().isEmpty())
                        .count())
                .putAllCounters(counters())
                .addAllDecisions(decisions);
        for (MasterStage s : stages) b.addStages(stage(s));
        return b.build();
    }

    /** Every task, stage by stage, as the dashboard's task table shows it; {@code nowNanos} times running ones. */
    List<TaskStatus> taskStatuses(long nowNanos) {
        boolean ended = state.isTerminal();
        return tasks().map(t -> {
                    MasterTask.Attempt a = t.running() != null ? t.running() : t.succeeded();
                    String st = t.status() == MasterTask.Status.SUCCEEDED
                            ? "SUCCEEDED"
                            : ended ? "STOPPED" : t.status().name();
                    long durationNanos = t.status() == MasterTask.Status.SUCCEEDED
                            ? t.durationNanos
                            : t.running() != null ? nowNanos - t.startedNanos : -1;
                    return new TaskStatus(
                            t.id,
                            t.stage,
                            t.index,
                            st,
                            a == null ? "" : a.workerId(),
                            t.attemptsLaunched(),
                            t.failures(),
                            t.status() == MasterTask.Status.SUCCEEDED ? 1.0 : ended ? 0.0 : t.progress,
                            t.lastError(),
                            durationNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(durationNanos),
                            t.inputLocalBytes + t.inputRemoteBytes,
                            locality(t, a));
                })
                .toList();
    }

    /**
     * Where the attempt ran against its input, as far as the master knows it: it knows the nodes
     * holding a file split's blocks, not racks, so a split's attempt is node-local or any.
     */
    private static String locality(MasterTask t, MasterTask.Attempt a) {
        if (t.split() == null) return TaskStatus.LOCALITY_NONE;
        if (t.split().hosts().isEmpty()) return TaskStatus.LOCALITY_NONE;
        if (a == null) return "";
        return a.dataLocal() ? TaskStatus.LOCALITY_NODE_LOCAL : TaskStatus.LOCALITY_ANY;
    }

    /** Each counter summed over the tasks: a finished task's successful attempt, a running task's current one. */
    private Map<String, Long> counters() {
        Map<String, Long> sums = new TreeMap<>();
        tasks().forEach(t -> t.counters.forEach((k, v) -> sums.merge(k, v, Long::sum)));
        return sums;
    }

    /**
     * Task counts of a stage. Once the job has ended nothing is pending or running any more: what
     * was is counted as stopped (the master dropped it and told workers to kill its attempts).
     */
    private StageStatusProto stage(MasterStage stage) {
        int pending = 0, running = 0, done = 0, failed = 0, retried = 0, stopped = 0;
        long recordsIn = 0, recordsOut = 0, bytesOut = 0;
        boolean ended = state.isTerminal();
        for (MasterTask t : stage.tasks) {
            recordsIn += t.recordsIn;
            recordsOut += t.recordsOut;
            bytesOut += t.bytesOut;
            switch (t.status()) {
                case PENDING -> {
                    if (ended) stopped++;
                    else pending++;
                }
                case RUNNING -> {
                    if (ended) stopped++;
                    else running++;
                }
                case SUCCEEDED -> done++;
            }
            failed += t.failures();
            if (t.retried()) retried++;
        }
        return StageStatusProto.newBuilder()
                .setName(stage.name)
                .setTotal(stage.tasks.size())
                .setPending(pending)
                .setRunning(running)
                .setDone(done)
                .setFailed(failed)
                .setRetried(retried)
                .setStopped(stopped)
                .setRecordsIn(recordsIn)
                .setRecordsOut(recordsOut)
                .setBytesOut(bytesOut)
                .addAllParents(stage.spec.parents())
                .addAllParents(stage.spec.broadcasts())
                .build();
    }
}
