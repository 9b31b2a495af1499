package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobState;
import dev.cairn.batch.TaskStatus;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.StageStatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** A submitted job and its tasks. Owned by the master's loop thread. */
final class MasterJob {
    final String id;
    final JobSpec spec;
    final JobSpecProto specProto;
    final JobOutput output;
    final Path jar;
    final int maxAttempts;
    final List<MasterTask> maps = new ArrayList<>();
    final List<MasterTask> reduces = new ArrayList<>();
    final long submitTimeMs;

    JobState state = JobState.RUNNING;
    String error = "";
    long finishTimeMs;
    int fetchFailures;
    /** Every task is done and the output is being committed, off the loop; the job ends when that does. */
    boolean committing;

    // Indexes kept by statusChanged, so that scheduling a heartbeat's slots costs no scan of every task.
    private static final Comparator<MasterTask> BY_INDEX = Comparator.comparingInt(t -> t.index);
    private final NavigableSet<MasterTask> pendingMaps = new TreeSet<>(BY_INDEX);
    private final Map<String, NavigableSet<MasterTask>> pendingMapsOn = new HashMap<>();
    private final NavigableSet<MasterTask> pendingReduces = new TreeSet<>(BY_INDEX);
    private int mapsSucceeded;
    private int reducesSucceeded;

    MasterJob(
            String id,
            JobSpec spec,
            JobSpecProto specProto,
            JobOutput output,
            Path jar,
            List<InputSplit> splits,
            int maxAttempts,
            long submitTimeMs,
            long nowNanos) {
        this.id = id;
        this.spec = spec;
        this.specProto = specProto;
        this.output = output;
        this.jar = jar;
        this.maxAttempts = maxAttempts;
        this.submitTimeMs = submitTimeMs;
        for (int i = 0; i < splits.size(); i++) {
            MasterTask t = new MasterTask(id, MasterTask.Kind.MAP, i, splits.get(i), nowNanos, this::statusChanged);
            maps.add(t);
            pending(t, true);
        }
        for (int i = 0; i < spec.reducers(); i++) {
            MasterTask t = new MasterTask(id, MasterTask.Kind.REDUCE, i, null, nowNanos, this::statusChanged);
            reduces.add(t);
            pending(t, true);
        }
    }

    /** Keeps the indexes of pending tasks and the counts of done ones as tasks move. */
    private void statusChanged(MasterTask t, MasterTask.Status from, MasterTask.Status to) {
        if (from == MasterTask.Status.PENDING) pending(t, false);
        if (to == MasterTask.Status.PENDING) pending(t, true);
        int done = (to == MasterTask.Status.SUCCEEDED ? 1 : 0) - (from == MasterTask.Status.SUCCEEDED ? 1 : 0);
        if (t.kind == MasterTask.Kind.MAP) mapsSucceeded += done;
        else reducesSucceeded += done;
    }

    private void pending(MasterTask t, boolean add) {
        if (t.kind == MasterTask.Kind.REDUCE) {
            if (add) pendingReduces.add(t);
            else pendingReduces.remove(t);
            return;
        }
        if (add) pendingMaps.add(t);
        else pendingMaps.remove(t);
        for (String host : t.split.hosts()) {
            if (add)
                pendingMapsOn
                        .computeIfAbsent(host, h -> new TreeSet<>(BY_INDEX))
                        .add(t);
            else pendingMapsOn.get(host).remove(t);
        }
    }

    /** Pending maps in task order. */
    Iterable<MasterTask> pendingMaps() {
        return pendingMaps;
    }

    /** Pending maps whose split lies on {@code host}, in task order. */
    Iterable<MasterTask> pendingMapsOn(String host) {
        NavigableSet<MasterTask> on = pendingMapsOn.get(host);
        return on == null ? List.of() : on;
    }

    /** Pending reduces in task order. */
    Iterable<MasterTask> pendingReduces() {
        return pendingReduces;
    }

    /** The task {@code attempt} is an attempt of, or null if this job has no such task. */
    MasterTask task(AttemptRef attempt) {
        if (!attempt.jobId().equals(id)) return null;
        List<MasterTask> list = attempt.stage() == MasterTask.Kind.MAP ? maps : reduces;
        return attempt.task() < list.size() ? list.get(attempt.task()) : null;
    }

    Stream<MasterTask> tasks() {
        return Stream.concat(maps.stream(), reduces.stream());
    }

    boolean mapsDone() {
        return mapsSucceeded == maps.size();
    }

    boolean reducesDone() {
        return reducesSucceeded == reduces.size();
    }

    JobStatusProto status() {
        double done = tasks().mapToDouble(t -> t.status() == MasterTask.Status.SUCCEEDED
                        ? 1
                        : t.status() == MasterTask.Status.RUNNING ? t.progress : 0)
                .sum();
        int total = maps.size() + reduces.size();
        return JobStatusProto.newBuilder()
                .setJobId(id)
                .setName(spec.name())
                .setState(state.name())
                .setError(error)
                .addStages(stage("map", maps))
                .addStages(stage("reduce", reduces))
                .setProgress(state == JobState.SUCCEEDED ? 1.0 : total == 0 ? 0 : done / total)
                .setSubmitTimeMs(submitTimeMs)
                .setFinishTimeMs(finishTimeMs)
                .setOutput(output.output())
                .setMapRecordsIn(maps.stream().mapToLong(t -> t.recordsIn).sum())
                .setMapRecordsOut(maps.stream().mapToLong(t -> t.recordsOut).sum())
                .setShuffleBytes(maps.stream().mapToLong(t -> t.bytesOut).sum())
                .setReduceRecordsOut(
                        reduces.stream().mapToLong(t -> t.recordsOut).sum())
                .setInputLocalBytes(
                        maps.stream().mapToLong(t -> t.inputLocalBytes).sum())
                .setInputRemoteBytes(
                        maps.stream().mapToLong(t -> t.inputRemoteBytes).sum())
                .setDataLocalMaps((int) maps.stream()
                        .filter(t -> t.status() == MasterTask.Status.SUCCEEDED
                                && t.succeeded().dataLocal())
                        .count())
                .setLocatedMaps((int)
                        maps.stream().filter(t -> !t.split.hosts().isEmpty()).count())
                .putAllCounters(counters())
                .build();
    }

    /** Every task, maps first, as the dashboard's task table shows it. */
    List<TaskStatus> taskStatuses() {
        boolean ended = state.isTerminal();
        return tasks().map(t -> {
                    MasterTask.Attempt a = t.running() != null ? t.running() : t.succeeded();
                    String st = t.status() == MasterTask.Status.SUCCEEDED
                            ? "SUCCEEDED"
                            : ended ? "STOPPED" : t.status().name();
                    return new TaskStatus(
                            t.id,
                            t.kind == MasterTask.Kind.MAP ? "map" : "reduce",
                            t.index,
                            st,
                            a == null ? "" : a.workerId(),
                            t.attemptsLaunched(),
                            t.failures(),
                            t.status() == MasterTask.Status.SUCCEEDED ? 1.0 : ended ? 0.0 : t.progress,
                            t.lastError());
                })
                .toList();
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
    private StageStatusProto stage(String name, List<MasterTask> tasks) {
        int pending = 0, running = 0, done = 0, failed = 0, retried = 0, stopped = 0;
        boolean ended = state.isTerminal();
        for (MasterTask t : tasks) {
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
                .setName(name)
                .setTotal(tasks.size())
                .setPending(pending)
                .setRunning(running)
                .setDone(done)
                .setFailed(failed)
                .setRetried(retried)
                .setStopped(stopped)
                .build();
    }
}
