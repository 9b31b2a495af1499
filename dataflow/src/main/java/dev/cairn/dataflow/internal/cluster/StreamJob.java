package dev.cairn.dataflow.internal.cluster;

import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.checkpoint.CheckpointCoordinator;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.proto.CheckpointCommand;
import dev.cairn.dataflow.internal.proto.CheckpointInfo;
import dev.cairn.dataflow.internal.proto.JobStatusProto;
import dev.cairn.dataflow.internal.proto.OperatorInfo;
import dev.cairn.dataflow.internal.proto.OperatorSample;
import dev.cairn.dataflow.internal.proto.OperatorStatus;
import dev.cairn.dataflow.internal.proto.RunRef;
import dev.cairn.dataflow.internal.proto.SubmitRequest;
import dev.cairn.dataflow.internal.proto.SubtaskEvent;
import dev.cairn.dataflow.internal.proto.SubtaskSample;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One stream job on the master: its runs (attempts), where the current run's slots are, which of
 * its subtasks finished, and its checkpoints. Owned by the master's loop thread; every method
 * is called there. It decides; the {@link StreamJobMaster} delivers its decisions to workers.
 *
 * <pre>
 *  SCHEDULED ──slots free──▶ RUNNING ──every subtask finished──▶ FINISHED
 *      ▲                        │ a subtask failed / a worker was lost
 *      │                        ▼
 *      └──old run stopped, ── RESTARTING   (with checkpoints, while restarts remain;
 *         delay passed                      otherwise FAILED)        any state ──cancel──▶ CANCELLED
 * </pre>
 */
final class StreamJob {
    enum State {
        SCHEDULED,
        RUNNING,
        RESTARTING,
        FINISHED,
        FAILED,
        CANCELLED;

        boolean ended() {
            return this == FINISHED || this == FAILED || this == CANCELLED;
        }
    }

    /** One chain head of the graph, as the submitter described it. */
    record Head(int operator, int parallelism, boolean source) {}

    /** What the master tells the workers of the current run; filled by the job, drained by the master. */
    interface Outbox {
        void command(String worker, CheckpointCommand command);
    }

    final String id;
    final int number;
    final SubmitRequest request;
    final List<Head> heads;
    final List<String> subtaskIds;
    final int slotsNeeded;
    final CheckpointStorage storage;
    private final Clock clock;
    private final StreamMeters.Master meters;
    /** The coordinator's aborted count already recorded as failed checkpoints. */
    private long abortsSeen;

    final long submittedAtMillis;
    State state = State.SCHEDULED;
    int attempt;
    int restarts;
    List<String> slotWorkers = List.of();
    final Set<String> finished = new HashSet<>();
    int exhaustedSources;
    long finalCheckpoint = -1;
    CheckpointCoordinator coordinator;
    long restoredFrom;
    long restartAtNanos;
    /** Workers that still run subtasks of an earlier run (worker -> that run's attempt); the next run waits for them. */
    final Map<String, Integer> stopping = new LinkedHashMap<>();

    String failure = "";
    long endedAtMillis;
    long completedCheckpoints;
    CheckpointInfo latestCheckpoint;
    /** The latest completed checkpoints, oldest first, for the dashboard's chart. */
    private final ArrayDeque<CheckpointInfo> recentCheckpoints = new ArrayDeque<>();

    private long triggeredAtNanos;
    private long checkpointBytes;
    /** The current run's subtasks' latest sample and the one about a second before it, for rates. */
    private final Map<String, Samples> samples = new HashMap<>();

    /** How many completed checkpoints a job's status lists: enough for a chart, bounded for a long-running job. */
    static final int CHECKPOINT_HISTORY = 100;

    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final class Samples {
        SubtaskSample baseline;
        long baselineAt;
        SubtaskSample latest;
        long latestAt;
    }

    StreamJob(
            String id,
            int number,
            SubmitRequest request,
            List<Head> heads,
            CheckpointStorage storage,
            Clock clock,
            int attempt,
            StreamMeters.Master meters) {
        this.meters = meters;
        this.id = id;
        this.number = number;
        this.request = request;
        this.heads = List.copyOf(heads);
        List<String> ids = new ArrayList<>();
        int slots = 0;
        for (Head h : heads) {
            for (int s = 0; s < h.parallelism(); s++) ids.add(h.operator() + "-" + s);
            slots = Math.max(slots, h.parallelism());
        }
        this.subtaskIds = List.copyOf(ids);
        this.slotsNeeded = slots;
        this.storage = storage;
        this.clock = clock;
        this.submittedAtMillis = clock.millis();
        this.attempt = attempt;
    }

    boolean checkpointing() {
        return request.getSettings().getCheckpointIntervalMs() > 0;
    }

    RunRef run() {
        return RunRef.newBuilder().setJobId(id).setAttempt(attempt).build();
    }

    /** The network id of the current run: channels of different runs never mix. */
    long networkId() {
        return ((long) number << 24) | (attempt & 0xFFFFFF);
    }

    /** The workers the current run has subtasks on. */
    Set<String> workers() {
        return new LinkedHashSet<>(slotWorkers);
    }

    /** The worker of subtask {@code subtask} of any operator. */
    String workerOf(int subtask) {
        return slotWorkers.get(subtask % slotWorkers.size());
    }

    private Set<String> sourceWorkers() {
        Set<String> w = new LinkedHashSet<>();
        for (Head h : heads) if (h.source()) for (int s = 0; s < h.parallelism(); s++) w.add(workerOf(s));
        return w;
    }

    private int sources() {
        int n = 0;
        for (Head h : heads) if (h.source()) n += h.parallelism();
        return n;
    }

    /** The run starts on {@code slotWorkers}, restoring from the latest complete checkpoint. */
    void started(List<String> slotWorkers, long restoredFrom) {
        this.slotWorkers = List.copyOf(slotWorkers);
        this.restoredFrom = restoredFrom;
        state = State.RUNNING;
        finished.clear();
        samples.clear();
        exhaustedSources = 0;
        finalCheckpoint = -1;
        abortsSeen = 0;
        if (checkpointing()) {
            long interval = TimeUnit.MILLISECONDS.toNanos(request.getSettings().getCheckpointIntervalMs());
            coordinator = new CheckpointCoordinator(
                    subtaskIds,
                    interval,
                    Math.max(interval * 10, TimeUnit.SECONDS.toNanos(30)),
                    Math.max(1, request.getSettings().getCheckpointsRetained()),
                    storage,
                    clock,
                    restoredFrom);
        }
    }

    /**
     * A subtask event of the current run. Returns a failure message if the run failed, else null.
     */
    String onEvent(SubtaskEvent event, Outbox outbox) throws IOException {
        switch (event.getKind()) {
            case FINISHED -> {
                finished.add(event.getSubtaskId());
                if (finished.containsAll(subtaskIds)) {
                    state = State.FINISHED;
                    endedAtMillis = clock.millis();
                }
            }
            case FAILED -> {
                return "subtask " + event.getSubtaskId() + " failed: " + event.getError();
            }
            case SOURCE_EXHAUSTED -> {
                exhaustedSources++;
                if (!checkpointing()) break;
                triggerFinalIfDue(outbox);
            }
            case SNAPSHOT_STORED -> {
                if (coordinator == null) break;
                checkpointBytes += event.getStateBytes();
                long id = event.getCheckpointId();
                if (coordinator.acknowledge(id, event.getSubtaskId())) completed(id, outbox);
            }
            case DECLINED -> {
                if (coordinator == null) break;
                coordinator.abort(event.getCheckpointId());
                recordAborts();
                if (event.getCheckpointId() == finalCheckpoint) finalCheckpoint = -1;
            }
            case UNRECOGNIZED -> {}
        }
        return null;
    }

    private void completed(long checkpointId, Outbox outbox) {
        long now = clock.millis();
        meters.completed(clock.nanos() - triggeredAtNanos, checkpointBytes);
        completedCheckpoints++;
        latestCheckpoint = CheckpointInfo.newBuilder()
                .setId(checkpointId)
                .setCompletedAtMs(now)
                .setDurationMs(TimeUnit.NANOSECONDS.toMillis(clock.nanos() - triggeredAtNanos))
                .setBytes(checkpointBytes)
                .build();
        if (recentCheckpoints.size() == CHECKPOINT_HISTORY) recentCheckpoints.removeFirst();
        recentCheckpoints.addLast(latestCheckpoint);
        for (String w : workers()) outbox.command(w, command(CheckpointCommand.Kind.COMPLETE, checkpointId));
        if (finalCheckpoint >= 0 && checkpointId >= finalCheckpoint) {
            for (String w : sourceWorkers()) outbox.command(w, command(CheckpointCommand.Kind.ALLOW_END, checkpointId));
        }
    }

    /** Periodic work of a running run: checkpoint triggers. */
    void tick(Outbox outbox) {
        if (state != State.RUNNING || coordinator == null) return;
        if (finalCheckpoint >= 0 && coordinator.pending() < 0 && coordinator.latestCompleted() < finalCheckpoint) {
            finalCheckpoint = -1; // declined or timed out: trigger another
        }
        if (exhaustedSources >= sources()) {
            triggerFinalIfDue(outbox);
            return;
        }
        long id = coordinator.maybeTrigger();
        recordAborts();
        if (id >= 0) trigger(id, outbox);
    }

    /** Checkpoints the coordinator gave up since last looked (declined, timed out) count as failed. */
    private void recordAborts() {
        for (; abortsSeen < coordinator.aborted(); abortsSeen++) meters.failed();
    }

    /** Triggers a checkpoint now for a savepoint; -1 if one is pending (the caller tries again later). */
    long triggerSavepoint(Outbox outbox) {
        if (state != State.RUNNING || coordinator == null) return -1;
        long id = coordinator.triggerNow();
        recordAborts();
        if (id >= 0) trigger(id, outbox);
        return id;
    }

    private void triggerFinalIfDue(Outbox outbox) {
        if (exhaustedSources < sources() || finalCheckpoint >= 0) return;
        long id = coordinator.triggerNow();
        recordAborts();
        if (id < 0) return;
        finalCheckpoint = id;
        trigger(id, outbox);
    }

    private void trigger(long id, Outbox outbox) {
        triggeredAtNanos = clock.nanos();
        checkpointBytes = 0;
        for (String w : sourceWorkers()) outbox.command(w, command(CheckpointCommand.Kind.TRIGGER, id));
    }

    private CheckpointCommand command(CheckpointCommand.Kind kind, long checkpointId) {
        return CheckpointCommand.newBuilder()
                .setRun(run())
                .setKind(kind)
                .setCheckpointId(checkpointId)
                .build();
    }

    /** A subtask of the current run reported what it has done so far. */
    void onSample(SubtaskSample sample) {
        long now = clock.nanos();
        Samples s = samples.computeIfAbsent(sample.getSubtaskId(), k -> new Samples());
        if (s.latest == null || s.latestAt - s.baselineAt >= RATE_WINDOW_NANOS || s.baseline == null) {
            s.baseline = s.latest != null ? s.latest : sample;
            s.baselineAt = s.latest != null ? s.latestAt : now;
        }
        s.latest = sample;
        s.latestAt = now;
    }

    /** Every operator of the current run, over the subtasks that reported. */
    private List<OperatorStatus> operators() {
        if (state != State.RUNNING) return List.of();
        List<OperatorStatus> out = new ArrayList<>();
        for (OperatorInfo info : request.getOperatorInfoList()) {
            long in = 0, outRecords = 0;
            double inRate = 0, outRate = 0, backpressure = 0;
            long watermark = Long.MAX_VALUE;
            int withWatermark = 0, reported = 0;
            for (Samples s : samples.values()) {
                OperatorSample latest = find(s.latest, info.getId());
                if (latest == null) continue;
                reported++;
                in += latest.getRecordsIn();
                outRecords += latest.getRecordsOut();
                if (latest.getWatermark() != Long.MIN_VALUE) {
                    withWatermark++;
                    watermark = Math.min(watermark, latest.getWatermark());
                }
                long span = s.latestAt - s.baselineAt;
                OperatorSample base = find(s.baseline, info.getId());
                if (span > 0 && base != null) {
                    double seconds = span / 1e9;
                    inRate += (latest.getRecordsIn() - base.getRecordsIn()) / seconds;
                    outRate += (latest.getRecordsOut() - base.getRecordsOut()) / seconds;
                    double blocked = (s.latest.getBlockedNanos() - s.baseline.getBlockedNanos()) / (double) span;
                    backpressure = Math.max(backpressure, Math.min(1, Math.max(0, blocked)));
                }
            }
            out.add(OperatorStatus.newBuilder()
                    .setId(info.getId())
                    .setName(info.getName())
                    .setParallelism(info.getParallelism())
                    .setRecordsIn(in)
                    .setRecordsOut(outRecords)
                    .setRecordsInPerSecond(inRate)
                    .setRecordsOutPerSecond(outRate)
                    .setWatermark(reported > 0 && withWatermark == reported ? watermark : Long.MIN_VALUE)
                    .setBackpressure(backpressure)
                    .addAllInputs(info.getInputsList())
                    .build());
        }
        return out;
    }

    private static OperatorSample find(SubtaskSample sample, int operator) {
        if (sample == null) return null;
        for (OperatorSample o : sample.getOperatorsList()) if (o.getOperator() == operator) return o;
        return null;
    }

    /** The latest complete checkpoint in storage, or 0. */
    long latestComplete() throws IOException {
        List<Long> complete = storage.completed();
        return complete.isEmpty() ? 0 : complete.get(complete.size() - 1);
    }

    JobStatusProto status() {
        JobStatusProto.Builder b = JobStatusProto.newBuilder()
                .setJobId(id)
                .setName(request.getName())
                .setOwner(request.getOwner())
                .setState(state.name())
                .setAttempt(attempt)
                .setRestarts(restarts)
                .setSubtasks(subtaskIds.size())
                .setRunningSubtasks(state == State.RUNNING ? subtaskIds.size() - finished.size() : 0)
                .setFinishedSubtasks(finished.size())
                .setCompletedCheckpoints(completedCheckpoints)
                .setFailure(failure)
                .setSubmittedAtMs(submittedAtMillis)
                .setEndedAtMs(endedAtMillis)
                .addAllSlotWorkers(slotWorkers)
                .addAllOperators(operators())
                .addAllRecentCheckpoints(recentCheckpoints);
        if (latestCheckpoint != null) b.setLatestCheckpoint(latestCheckpoint);
        return b.build();
    }
}
