package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.TaskStatus;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.batch.internal.Protos;
import dev.cairn.batch.internal.proto.CommitTaskResponse;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.MapOutputLocation;
import dev.cairn.batch.internal.proto.ParentOutputs;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.RegisterWorkerResponse;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.proto.TaskUpdate;
import dev.cairn.batch.internal.proto.WorkerInfo;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsUser;
import dev.cairn.common.io.FileTrees;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.time.Clock;
import io.grpc.BindableService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job manager: keeps the registry of workers and the state of every job, hands tasks to
 * workers as they heartbeat, and reacts to failures.
 *
 * <p>Design: all state is owned by one loop thread; RPC handlers (on virtual threads) do the slow,
 * stateless part of a request — validating a job, listing its input — and then hand a closure to
 * the loop and wait for its answer. Time comes from the injected {@link Clock}, so worker expiry
 * is decided by the loop's periodic check against that clock, never by a sleeping thread. The
 * loop is a {@link MasterLoop}: a thread of its own in a node; in a simulation, the test's thread,
 * which runs the master's deferred work (expiry checks, what output commits hand back) as events
 * in an order its seed decides.
 *
 * <p>A job is a graph of stages ({@link JobGraph}; a MapReduce job is {@code map → reduce}). A
 * stage's tasks are handed out once all its parents are done, earlier stages first.
 *
 * <p>Workers pull: each heartbeat reports task progress and free slots and receives new tasks.
 * Tasks of stages that read files (maps) go preferably where their input lies (delay scheduling, as in Zaharia et al.,
 * EuroSys 2010): a worker first gets a map whose split its node holds; a map whose split lies on
 * live workers is given to any other worker only once it has waited the locality wait, so a slot
 * freeing up on a holder a moment later gets it instead. Input in no known place goes anywhere.
 *
 * <p>Output is committed and deleted through the job's {@link FileSystem}, which may be the
 * store (coord round trips): that I/O runs on an executor of its own, and its outcome comes back
 * to the loop as a closure, so the loop never waits on a file system.
 *
 * <p>Failure handling:
 * <ul>
 *   <li>a failed attempt sends its task back to PENDING, preferring another worker next time;
 *       after the job's attempt limit the job fails naming the task, worker and cause;
 *   <li>a worker silent for the timeout is declared dead: its running attempts count as failed,
 *       and the partitions it held are re-made if a later stage still needs them;
 *   <li>a task that cannot fetch a parent's partition reports it; that parent task (and every
 *       other whose output lived on the same worker) is re-run and the attempt re-queued without
 *       counting as a failure.
 * </ul>
 */
public final class JobMaster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobMaster.class);

    private final MasterSettings settings;
    private final Clock clock;
    private final MasterLoop loop;
    private final Executor io;
    private final ExecutorService ownedIo;
    private final Map<String, WorkerRecord> workers = new LinkedHashMap<>();
    private final Map<String, MasterJob> jobs = new LinkedHashMap<>();
    private final AtomicInteger jobCounter = new AtomicInteger();

    public JobMaster(MasterSettings settings, Clock clock) {
        this(settings, clock, null);
    }

    /** @param io runs output commits and clean-ups; null for a thread of the master's own */
    JobMaster(MasterSettings settings, Clock clock, Executor io) {
        this(settings, clock, io, MasterLoop.ownThread("job-master"));
    }

    /**
     * @param io runs output commits and clean-ups; null for a thread of the master's own
     * @param loop owns the master's state; a simulation passes one it runs by hand
     */
    JobMaster(MasterSettings settings, Clock clock, Executor io, MasterLoop loop) {
        this.settings = settings;
        this.clock = clock;
        this.ownedIo = io == null
                ? Executors.newSingleThreadExecutor(
                        Thread.ofPlatform().daemon().name("job-master-io").factory())
                : null;
        this.io = io == null ? ownedIo : io;
        this.loop = loop;
        loop.scheduleWithFixedDelay(this::expireWorkers, expiryCheckInterval(settings));
    }

    /** How often the loop looks for silent workers: a quarter of the timeout, within [50 ms, 500 ms]. */
    static Duration expiryCheckInterval(MasterSettings settings) {
        return Duration.ofMillis(
                Math.max(50, Math.min(500, settings.workerTimeout().toMillis() / 4)));
    }

    /** The master's RPC services, which let callers see and act on jobs as {@code access} allows. */
    public List<BindableService> services(JobAccess access) {
        return List.of(new JobMasterService(this, access));
    }

    MasterSettings settings() {
        return settings;
    }

    /** Runs {@code action} on the loop thread and returns its result, rethrowing its exception. */
    <T> T onLoop(Callable<T> action) throws Exception {
        return loop.call(action);
    }

    private void assertLoop() {
        if (!loop.inLoop()) throw new IllegalStateException("not on the job-master loop: " + Thread.currentThread());
    }

    // ---- workers -------------------------------------------------------------------------

    RegisterWorkerResponse register(RegisterWorkerRequest req) {
        assertLoop();
        if (req.getWorkerId().isEmpty()) throw new IllegalArgumentException("worker id is empty");
        if (req.getSlots() < 1) throw new IllegalArgumentException("worker slots must be >= 1");
        WorkerRecord old = workers.get(req.getWorkerId());
        if (old != null && old.alive) {
            LOG.info("worker {} registered again: treating its previous incarnation as lost", old);
            lose(old, "worker " + old.id + " restarted");
        }
        WorkerRecord w = new WorkerRecord(req.getWorkerId(), req.getEndpoint(), req.getSlots(), clock.nanos());
        workers.put(w.id, w);
        LOG.info("worker {} registered with {} slots", w, w.slots);
        return RegisterWorkerResponse.newBuilder()
                .setHeartbeatIntervalMs(settings.heartbeatInterval().toMillis())
                .build();
    }

    HeartbeatResponse heartbeat(HeartbeatRequest req) {
        assertLoop();
        WorkerRecord w = workers.get(req.getWorkerId());
        HeartbeatResponse.Builder resp = HeartbeatResponse.newBuilder();
        if (w == null || !w.alive) return resp.setReregister(true).build();
        w.lastHeartbeatNanos = clock.nanos();
        for (TaskUpdate u : req.getUpdatesList()) apply(w, u, resp);
        for (String jobId : req.getActiveJobsList()) {
            MasterJob job = jobs.get(jobId);
            if (job == null || job.state.isTerminal()) resp.addEndedJobs(jobId);
        }
        resp.addAllSplit(w.splitRequests);
        w.splitRequests.clear();
        int free = Math.min(req.getFreeSlots(), w.slots - w.running.size());
        while (free > 0) {
            TaskAssignment a = assign(w);
            if (a == null) break;
            resp.addLaunch(a);
            free--;
        }
        // A slot no pending task wanted may take the rest of a running task's input, once that
        // task accepts to stop short of it; the slot is kept for it rather than given a copy.
        if (free > 0 && resplit()) free--;
        // Slots no pending task wanted may run copies of stragglers.
        while (free-- > 0) {
            TaskAssignment a = speculate(w);
            if (a == null) break;
            resp.addLaunch(a);
        }
        return resp.build();
    }

    private void apply(WorkerRecord w, TaskUpdate u, HeartbeatResponse.Builder resp) {
        MasterJob job = jobs.get(u.getJobId());
        if (job == null || job.state.isTerminal()) return;
        AttemptRef attempt;
        try {
            attempt = AttemptRef.of(job.id, u.getTaskId(), u.getAttempt());
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring an update from {}: {}", w, e.getMessage());
            return;
        }
        MasterTask task = job.task(attempt);
        if (task == null) return;
        if (!task.isRunning(attempt, w.id)) {
            // An attempt the master gave up on (its worker was declared dead, then came back).
            if (u.getState() == TaskUpdate.State.RUNNING) resp.addKill(attempt.toProto());
            return;
        }
        task.progress = u.getProgress();
        task.recordsIn = u.getRecordsIn();
        task.recordsOut = u.getRecordsOut();
        task.bytesOut = u.getBytesOut();
        task.inputLocalBytes = u.getInputLocalBytes();
        task.inputRemoteBytes = u.getInputRemoteBytes();
        task.counters = u.getCountersMap();
        task.position = u.getPosition();
        if (u.getState() != TaskUpdate.State.FAILED) splitAccepted(job, task, attempt, u.getSplitEnd());
        if (u.getState() == TaskUpdate.State.SUCCEEDED)
            task.partitionBytes = u.getPartitionBytesList().stream()
                    .mapToLong(Long::longValue)
                    .toArray();
        switch (u.getState()) {
            case RUNNING -> {}
            case SUCCEEDED -> succeeded(job, task, attempt, w);
            case FAILED -> {
                if (!u.getFetchFailedAttempt().isEmpty())
                    fetchFailed(job, task, attempt, w, u.getFetchFailedAttempt(), u.getError());
                else failed(job, task, attempt, w, u.getError());
            }
            default -> LOG.warn("unknown task state {} from {}", u.getState(), w);
        }
    }

    private void succeeded(MasterJob job, MasterTask task, AttemptRef attempt, WorkerRecord w) {
        MasterTask.Attempt loser = task.otherThan(attempt);
        boolean wasBackup = task.backup() != null && task.backup().ref().equals(attempt);
        task.durationNanos = clock.nanos() - (wasBackup ? task.backupStartedNanos : task.startedNanos);
        task.succeed(attempt);
        w.running.remove(attempt);
        if (loser != null) {
            // The other attempt is no longer the task's: its worker is told to kill it when it next reports it.
            WorkerRecord lw = workers.get(loser.workerId());
            if (lw != null) lw.running.remove(loser.ref());
            job.decide(
                    clock.millis(),
                    task.id + ": attempt " + attempt.number() + (wasBackup ? " (speculative)" : "") + " on " + w.id
                            + " finished first; attempt " + loser.number() + " on " + loser.workerId()
                            + " stopped");
        }
        LOG.debug("{} {} succeeded on {}", job.id, attempt.attemptId(), w);
        if (!job.committing && job.allDone()) commit(job);
    }

    private void failed(MasterJob job, MasterTask task, AttemptRef attempt, WorkerRecord w, String error) {
        task.fail(attempt, error, clock.nanos());
        w.running.remove(attempt);
        String firstLine = error.lines().findFirst().orElse("unknown error");
        LOG.warn(
                "{} attempt {} of {} failed on worker {} ({}/{}): {}",
                job.id,
                attempt.number(),
                task.id,
                w,
                task.failures(),
                job.maxAttempts,
                error);
        if (task.failures() >= job.maxAttempts) {
            end(
                    job,
                    JobState.FAILED,
                    "task " + task.id + " failed " + task.failures() + " times; last attempt " + attempt.number()
                            + " on worker " + w.id + " (" + w.endpoint + "): " + firstLine);
        }
    }

    private void fetchFailed(
            MasterJob job, MasterTask reader, AttemptRef attempt, WorkerRecord w, String parentAttempt, String error) {
        reader.requeue(attempt, clock.nanos());
        w.running.remove(attempt);
        job.fetchFailures++;
        LOG.warn("{} {} could not fetch the output of {}: {}", job.id, reader.id, parentAttempt, error);
        AttemptRef lost = null;
        try {
            lost = AttemptRef.parse(job.id, parentAttempt);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: {} named no task output: {}", job.id, attempt.attemptId(), e.getMessage());
        }
        MasterTask parent = lost == null ? null : job.task(lost);
        if (parent != null
                && parent.writesPartitions
                && parent.status() == MasterTask.Status.SUCCEEDED
                && parent.succeeded().ref().equals(lost)) {
            // Every output on that worker is re-made, not just this one (Spark's rule on a fetch
            // failure): one at a time, a worker killed before it was declared lost cost each
            // reducer one failed attempt per map it had run, which used up the job's fetch
            // failure budget before the worker timeout (ClusterIT saw it with 30+ maps).
            String endpoint = parent.succeeded().endpoint();
            remakeOutputs(job, a -> a.endpoint().equals(endpoint), "its output on " + endpoint + " is unreachable");
        }
        long readers = job.stages.stream()
                .filter(s -> !s.parents.isEmpty())
                .mapToLong(s -> s.tasks.size())
                .sum();
        if (job.fetchFailures > 4L * job.maxAttempts * Math.max(1, readers)) {
            end(
                    job,
                    JobState.FAILED,
                    "too many shuffle fetch failures; last: " + reader.id + " fetching " + parentAttempt + ": "
                            + error);
        }
    }

    /**
     * Sends back to PENDING every done task whose partitions {@code lostHere} says are gone and
     * that a later stage still needs. Stages are visited from the last: a task re-made there
     * makes its stage unfinished, so its parents' outputs on the same worker are needed again too.
     */
    private void remakeOutputs(MasterJob job, java.util.function.Predicate<MasterTask.Attempt> lostHere, String why) {
        for (int i = job.stages.size() - 1; i >= 0; i--) {
            MasterStage stage = job.stages.get(i);
            if (stage.spec.writesJobOutput() || !stage.outputNeeded()) continue;
            for (MasterTask t : stage.tasks) {
                if (t.status() == MasterTask.Status.SUCCEEDED && lostHere.test(t.succeeded())) {
                    LOG.info("{} re-running {}: {}", job.id, t.id, why);
                    t.loseOutput(t.succeeded().ref(), clock.nanos());
                }
            }
        }
    }

    private TaskAssignment assign(WorkerRecord w) {
        for (MasterJob job : jobs.values()) {
            if (job.state.isTerminal()) continue;
            for (MasterStage stage : job.stages) {
                if (!stage.ready()) continue;
                if (stage.awaitsPlan()) plan(job, stage);
                MasterTask task = stage.readsFiles() ? pickLocal(stage, w) : pickAny(stage, w);
                if (task != null) return launch(job, stage, task, w);
            }
        }
        return null;
    }

    /**
     * The first pending task whose split lies on {@code w}'s node; else the first one free to run
     * anywhere ({@link #mayRunAnywhere}); else none, and {@code w} waits for the next job or heartbeat.
     */
    private MasterTask pickLocal(MasterStage stage, WorkerRecord w) {
        for (MasterTask t : stage.pendingOn(w.id)) {
            if (mayTake(t, w)) return t;
        }
        long now = clock.nanos();
        for (MasterTask t : stage.pending()) {
            if (mayTake(t, w) && mayRunAnywhere(t, now)) return t;
        }
        return null;
    }

    /** Delay scheduling: a map whose split lies on a live worker that may run it waits up to the locality wait for it. */
    private boolean mayRunAnywhere(MasterTask t, long now) {
        if (now - t.pendingSinceNanos() >= settings.localityWait().toNanos()) return true;
        for (String host : t.split().hosts()) {
            WorkerRecord h = workers.get(host);
            if (h != null && h.alive && !t.failedOn(h.id)) return false;
        }
        return true;
    }

    private MasterTask pickAny(MasterStage stage, WorkerRecord w) {
        for (MasterTask t : stage.pending()) if (mayTake(t, w)) return t;
        return null;
    }

    /** Pending, and not failed on this worker before while another could take it. */
    private boolean mayTake(MasterTask t, WorkerRecord w) {
        return t.status() == MasterTask.Status.PENDING && (!t.failedOn(w.id) || !otherLiveWorker(t, w));
    }

    private boolean otherLiveWorker(MasterTask t, WorkerRecord w) {
        return workers.values().stream().anyMatch(o -> o.alive && o != w && !t.failedOn(o.id));
    }

    private TaskAssignment launch(MasterJob job, MasterStage stage, MasterTask task, WorkerRecord w) {
        MasterTask.Attempt a = task.launch(w.id, w.endpoint);
        task.startedNanos = clock.nanos();
        w.running.add(a.ref());
        return assignment(job, stage, task, a, w);
    }

    /**
     * A speculative copy for a free slot of {@code w}: of the stragglers the policy finds in the
     * running stages (pending tasks went first), the first whose attempt runs elsewhere and that
     * has not failed on {@code w}; null if none.
     */
    private TaskAssignment speculate(WorkerRecord w) {
        if (!settings.speculation().enabled()) return null;
        long now = clock.nanos();
        for (MasterJob job : jobs.values()) {
            if (job.state.isTerminal() || job.committing) continue;
            if ("false".equals(job.graph.params().get(JobGraph.SPECULATION_PARAM))) continue;
            for (MasterStage stage : job.stages) {
                if (!stage.ready() || stage.done()) continue;
                List<SpeculationPolicy.TaskView> views = new ArrayList<>();
                for (MasterTask t : stage.tasks) {
                    boolean alone = t.status() == MasterTask.Status.RUNNING && t.backup() == null;
                    views.add(new SpeculationPolicy.TaskView(
                            t.index,
                            alone ? now - t.startedNanos : -1,
                            t.progress,
                            t.status() == MasterTask.Status.SUCCEEDED ? t.durationNanos : -1));
                }
                for (SpeculationPolicy.Straggler s : settings.speculation().stragglers(views)) {
                    MasterTask t = stage.tasks.get(s.index());
                    // A task asked to give up part of its input gets no copy until it answers (or
                    // its worker is silent too long): a copy would read the part given up.
                    if (splitPending(t, now)) continue;
                    if (t.running().workerId().equals(w.id) || t.failedOn(w.id)) continue;
                    MasterTask.Attempt a = t.speculate(w.id, w.endpoint);
                    t.backupStartedNanos = now;
                    w.running.add(a.ref());
                    job.decide(
                            clock.millis(),
                            "speculated " + t.id + ": " + s.reason() + "; attempt " + a.number() + " on " + w.id
                                    + " beside attempt " + t.running().number() + " on "
                                    + t.running().workerId());
                    return assignment(job, stage, t, a, w);
                }
            }
        }
        return null;
    }

    // ---- adaptive execution ------------------------------------------------------------------

    /** Whether {@code job} may adapt: the master allows it and the job does not turn it off. */
    private static boolean adaptive(MasterJob job) {
        return !"false".equals(job.graph.params().get(JobGraph.ADAPTIVE_PARAM));
    }

    /**
     * Whether {@code t} was asked to split and may still answer: for five heartbeats, after which
     * it may be asked again, or copied. (A task that had nothing to hand over ignores a request.)
     */
    private boolean splitPending(MasterTask t, long now) {
        return t.splitRequestedAt > 0
                && now - t.splitRequestedNanos
                        < settings.heartbeatInterval().multipliedBy(5).toNanos();
    }

    /**
     * Re-plans {@code stage}, whose parents are all done, from the bytes of their partitions
     * ({@link PartitionPlanner}); records what changed as decisions.
     */
    private void plan(MasterJob job, MasterStage stage) {
        PartitionPlanner.Plan plan = null;
        if (adaptive(job)) {
            Map<String, long[][]> bytes = new LinkedHashMap<>();
            for (String p : stage.spec.parents()) {
                MasterStage parent = job.stage(p);
                long[][] maps = new long[parent.tasks.size()][];
                for (int m = 0; m < maps.length; m++) {
                    long[] b = parent.tasks.get(m).partitionBytes;
                    // A parent output of unknown sizes (lost and not yet re-made): no re-planning.
                    if (b.length != stage.spec.tasks()) {
                        bytes = null;
                        break;
                    }
                    maps[m] = b;
                }
                if (bytes == null) break;
                bytes.put(p, maps);
            }
            int slots = workers.values().stream()
                    .filter(x -> x.alive)
                    .mapToInt(x -> x.slots)
                    .sum();
            if (bytes != null)
                plan = settings.partitions()
                        .plan(stage.name, stage.spec.adaptive(), bytes, stage.spec.tasks(), Math.max(1, slots));
        }
        stage.plan(plan == null ? null : plan.tasks(), clock.nanos());
        if (plan != null) for (String d : plan.decisions()) job.decide(clock.millis(), d);
    }

    /**
     * For a free slot: asks one running file task, chosen by the {@link
     * ResplitPolicy} among the stages with nothing pending, to stop short and leave the rest of
     * its input to a new task; true if it asked. The request goes out with the response to its
     * worker's next heartbeat; the task answers in a later one ({@link #splitAccepted}).
     */
    private boolean resplit() {
        long now = clock.nanos();
        for (MasterJob job : jobs.values()) {
            if (job.state.isTerminal() || job.committing || !adaptive(job)) continue;
            for (MasterStage stage : job.stages) {
                if (!stage.mayResplit()
                        || !stage.ready()
                        || stage.pending().iterator().hasNext()) continue;
                List<ResplitPolicy.TaskView> views = new ArrayList<>();
                for (MasterTask t : stage.tasks) {
                    boolean alone =
                            t.status() == MasterTask.Status.RUNNING && t.backup() == null && !splitPending(t, now);
                    InputSplit s = t.split();
                    views.add(new ResplitPolicy.TaskView(
                            t.index,
                            alone ? now - t.startedNanos : -1,
                            s.start(),
                            t.position,
                            s.start() + s.length(),
                            t.status() == MasterTask.Status.SUCCEEDED ? t.durationNanos : -1));
                }
                for (ResplitPolicy.Split s : settings.resplit().splits(views)) {
                    MasterTask t = stage.tasks.get(s.index());
                    WorkerRecord on = workers.get(t.running().workerId());
                    if (on == null || !on.alive) continue;
                    t.splitRequestedAt = s.at();
                    t.splitRequestedNanos = now;
                    on.splitRequests.add(dev.cairn.batch.internal.proto.SplitRequest.newBuilder()
                            .setAttempt(t.running().ref().toProto())
                            .setKeep(s.keep())
                            .build());
                    LOG.debug(
                            "{} asking {} to stop at {}: {}",
                            job.id,
                            t.running().ref().attemptId(),
                            s.at(),
                            s.reason());
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The running {@code attempt} of {@code task} reports its input ending at {@code splitEnd}: if
     * that is short of the task's split, it accepted a re-split there, and the rest becomes a new
     * pending task (a copy of the task running beside it, which reads the whole, is stopped).
     */
    private void splitAccepted(MasterJob job, MasterTask task, AttemptRef attempt, long splitEnd) {
        InputSplit s = task.split();
        if (splitEnd <= 0 || s == null || splitEnd >= s.start() + s.length() || splitEnd <= s.start()) return;
        MasterTask.Attempt other = task.otherThan(attempt);
        if (other != null) {
            task.requeue(other.ref(), clock.nanos());
            WorkerRecord ow = workers.get(other.workerId());
            if (ow != null) ow.running.remove(other.ref());
        }
        MasterStage stage = job.stage(task.stage);
        InputSplit rest = task.shorten(splitEnd);
        MasterTask added = stage.addSplit(rest, clock.nanos());
        job.decide(
                clock.millis(),
                String.format(
                        java.util.Locale.ROOT,
                        "re-split %s at byte %d of %s: it had read %s of %s in %.1f s; the last %s went to %s",
                        task.id,
                        splitEnd,
                        s.path(),
                        PartitionPlanner.human(Math.max(0, task.position - s.start())),
                        PartitionPlanner.human(s.length()),
                        (clock.nanos() - task.startedNanos) / 1e9,
                        PartitionPlanner.human(rest.length()),
                        added.id));
    }

    private TaskAssignment assignment(
            MasterJob job, MasterStage stage, MasterTask task, MasterTask.Attempt a, WorkerRecord w) {
        TaskAssignment.Builder b = TaskAssignment.newBuilder()
                .setJobId(job.id)
                .setTaskId(task.id)
                .setAttempt(a.number())
                .setTaskIndex(task.index)
                .setStagingDir(job.output.staging())
                .setStage(stage.name)
                .setOwner(job.owner)
                .setOutputPartitions(stage.spec.outputPartitions())
                .putAllParams(job.graph.params());
        JobSpecProto mapReduce = job.specProto;
        if (mapReduce != null) b.setSpec(mapReduce);
        else
            b.setProgramClass(stage.spec.programClass())
                    .setProgram(com.google.protobuf.ByteString.copyFrom(stage.spec.program()));
        if (task.split() != null) {
            b.setSplitPath(task.split().path())
                    .setSplitStart(task.split().start())
                    .setSplitLength(task.split().length())
                    .setInput(task.split().input());
            if (mapReduce != null)
                b.setMapperClass(
                        mapReduce.getInputMappersMap().getOrDefault(task.split().input(), mapReduce.getMapperClass()));
        }
        PartitionPlanner.TaskReads reads = task.reads;
        for (MasterStage parent : stage.parents) {
            boolean broadcast = stage.spec.broadcasts().contains(parent.name);
            ParentOutputs.Builder outputs =
                    ParentOutputs.newBuilder().setStage(parent.name).setBroadcast(broadcast);
            List<MasterTask> maps = parent.tasks;
            if (reads != null && !broadcast) {
                outputs.setPartitionStart(reads.partitionFrom()).setPartitionEnd(reads.partitionTo());
                if (parent.name.equals(reads.splitParent())) maps = maps.subList(reads.mapFrom(), reads.mapTo());
            }
            for (MasterTask m : maps) {
                MapOutputLocation loc = MapOutputLocation.newBuilder()
                        .setTaskId(m.id)
                        .setAttempt(m.succeeded().number())
                        .setEndpoint(m.succeeded().endpoint())
                        .build();
                outputs.addOutputs(loc);
                b.addMapOutputs(loc);
            }
            b.addParentOutputs(outputs);
        }
        LOG.debug("{} launching {} on {}{}", job.id, a.ref().attemptId(), w, a.dataLocal() ? " (data-local)" : "");
        return b.build();
    }

    CommitTaskResponse commit(AttemptRef ref) {
        assertLoop();
        MasterJob job = jobs.get(ref.jobId());
        CommitTaskResponse.Builder no = CommitTaskResponse.newBuilder().setAllowed(false);
        if (job == null || job.state.isTerminal())
            return no.setReason("job " + ref.jobId() + " is not running").build();
        MasterTask task = job.task(ref);
        if (task == null)
            return no.setReason("attempt " + ref.number() + " of " + ref.taskId() + " is not current")
                    .build();
        String denied = task.grantCommit(ref);
        if (denied != null) return no.setReason(denied).build();
        return CommitTaskResponse.newBuilder().setAllowed(true).build();
    }

    void expireWorkers() {
        long now = clock.nanos();
        long timeout = settings.workerTimeout().toNanos();
        for (WorkerRecord w : workers.values()) {
            if (w.alive && now - w.lastHeartbeatNanos > timeout) {
                LOG.warn(
                        "worker {} declared dead: no heartbeat for {} ms (timeout {} ms)",
                        w,
                        TimeUnit.NANOSECONDS.toMillis(now - w.lastHeartbeatNanos),
                        settings.workerTimeout().toMillis());
                lose(w, "worker " + w.id + " (" + w.endpoint + ") was lost");
            }
        }
    }

    /** Everything that lived on {@code w} is gone: fail its attempts, re-make the partitions it held. */
    private void lose(WorkerRecord w, String reason) {
        w.alive = false;
        for (MasterJob job : jobs.values()) {
            if (job.state.isTerminal()) continue;
            for (MasterTask t : job.tasks().toList()) {
                for (MasterTask.Attempt a : t.runningAttempts()) {
                    if (a.workerId().equals(w.id)) failed(job, t, a.ref(), w, reason);
                }
                if (job.state.isTerminal()) break;
            }
            if (job.state.isTerminal() || job.committing) continue;
            remakeOutputs(job, a -> a.workerId().equals(w.id), "its output was on lost worker " + w);
        }
        w.running.clear();
    }

    // ---- jobs ----------------------------------------------------------------------------

    /**
     * Validates and registers a job that belongs to {@code owner}. Called on a handler thread: the
     * file-system work happens here, and only the registration runs on the loop.
     */
    JobStatusProto submit(JobSpec spec, byte[] jar, String jarName, String owner) throws Exception {
        return submit(spec, jar, jarName, owner, Optional.empty());
    }

    /**
     * Like {@link #submit(JobSpec, byte[], String, String)}, refusing the job unless {@code checkAs}
     * (when present: the owner, authenticated and no admin) may read its inputs and create its
     * output: its tasks run as their node, which may read and write anything.
     *
     * @throws dev.cairn.common.security.PermissionDeniedException naming the path and the right
     */
    JobStatusProto submit(JobSpec spec, byte[] jar, String jarName, String owner, Optional<FsUser> checkAs)
            throws Exception {
        JobJars.validate(jar, jarName, spec);
        return submit(JobGraph.of(spec), Protos.toProto(spec), jar, owner, checkAs);
    }

    /** Validates and registers a job given as a graph of stages, as {@link #submit(JobSpec, byte[], String, String)} does. */
    JobStatusProto submit(JobGraph graph, byte[] jar, String jarName, String owner) throws Exception {
        return submit(graph, jar, jarName, owner, Optional.empty());
    }

    /** Like {@link #submit(JobSpec, byte[], String, String, Optional)}, for a graph of stages. */
    JobStatusProto submit(JobGraph graph, byte[] jar, String jarName, String owner, Optional<FsUser> checkAs)
            throws Exception {
        JobJars.validate(jar, jarName, graph);
        return submit(graph, null, jar, owner, checkAs);
    }

    private JobStatusProto submit(
            JobGraph spec, JobSpecProto mapReduce, byte[] jar, String owner, Optional<FsUser> checkAs)
            throws Exception {
        if (checkAs.isPresent()) checkPaths(spec, checkAs.get());
        long splitBytes = spec.splitBytes() > 0 ? spec.splitBytes() : settings.splitBytes();
        Map<String, List<InputSplit>> splits = new LinkedHashMap<>();
        for (var stage : spec.stages()) {
            if (stage.inputs().isEmpty()) continue;
            splits.put(stage.name(), InputSplitter.split(settings.fileSystems(), stage.inputs(), splitBytes));
        }
        // A refused job takes no id: check the output before taking one (a job of the same output
        // submitted meanwhile can still make prepare fail after; then that id is skipped).
        JobOutput.checkAbsent(settings.fileSystems().forPath(spec.output()), spec.output());
        String jobId = String.format("job-%04d", jobCounter.incrementAndGet());
        JobOutput output =
                JobOutput.prepare(settings.fileSystems().forPath(spec.output()), spec.output(), jobId, owner);
        Path jarFile = settings.dir().resolve("jobs").resolve(jobId).resolve("job.jar");
        Files.createDirectories(jarFile.getParent());
        Files.write(jarFile, jar);
        int attempts = spec.maxAttempts() > 0 ? spec.maxAttempts() : settings.maxAttempts();
        MasterJob job = new MasterJob(
                jobId, spec, mapReduce, owner, output, jarFile, splits, attempts, clock.millis(), clock.nanos());
        return onLoop(() -> {
            jobs.put(job.id, job);
            LOG.info(
                    "{} ({}) submitted by {}: stages {} ({} splits with known locations), output {}",
                    job.id,
                    spec.name(),
                    owner,
                    job.stages.stream()
                            .map(s -> s.name + "[" + s.tasks.size() + "]")
                            .toList(),
                    splits.values().stream()
                            .flatMap(List::stream)
                            .filter(s -> !s.hosts().isEmpty())
                            .count(),
                    output.output());
            trimHistory();
            return job.status();
        });
    }

    /** Refuses a job whose owner may not read one of its inputs or create its output. */
    private void checkPaths(JobGraph spec, FsUser user) throws IOException {
        for (var stage : spec.stages()) {
            for (String input : stage.inputs()) {
                try {
                    settings.fileSystems().forPath(input).checkRead(input, user);
                } catch (java.nio.file.NoSuchFileException missing) {
                    // the input splitter refuses it next, in its own words
                }
            }
        }
        settings.fileSystems().forPath(spec.output()).checkCreate(spec.output(), user);
    }

    JobStatusProto status(String jobId) {
        assertLoop();
        return job(jobId).status();
    }

    /** The user job {@code jobId} belongs to. */
    String owner(String jobId) {
        assertLoop();
        return job(jobId).owner;
    }

    List<JobStatusProto> list() {
        assertLoop();
        return jobs.values().stream().map(MasterJob::status).toList();
    }

    JobStatusProto cancel(String jobId) {
        assertLoop();
        MasterJob job = job(jobId);
        // A committing job's output may already be in place: its commit decides how it ends.
        if (!job.state.isTerminal() && !job.committing) end(job, JobState.CANCELLED, "cancelled by request");
        return job.status();
    }

    Path jar(String jobId) {
        assertLoop();
        MasterJob job = job(jobId);
        if (job.state.isTerminal()) throw new IllegalStateException("job " + jobId + " has ended");
        return job.jar;
    }

    List<WorkerInfo> workers() {
        assertLoop();
        long now = clock.nanos();
        List<WorkerInfo> out = new ArrayList<>();
        for (WorkerRecord w : workers.values()) {
            out.add(WorkerInfo.newBuilder()
                    .setWorkerId(w.id)
                    .setEndpoint(w.endpoint)
                    .setState(w.alive ? "ALIVE" : "DEAD")
                    .setSlots(w.slots)
                    .setRunning(w.running.size())
                    .setLastHeartbeatMsAgo(TimeUnit.NANOSECONDS.toMillis(now - w.lastHeartbeatNanos))
                    .build());
        }
        return out;
    }

    // ---- snapshots for the node's HTTP API: taken on the loop, the caller waits for them -----

    /** Every job the master remembers, oldest first. */
    public List<JobStatus> jobSnapshots() throws Exception {
        return onLoop(() -> list().stream().map(Protos::fromProto).toList());
    }

    /** One job, or empty if the master does not know it. */
    public Optional<JobStatus> jobSnapshot(String jobId) throws Exception {
        return onLoop(() -> Optional.ofNullable(jobs.get(jobId)).map(j -> Protos.fromProto(j.status())));
    }

    /** A job's tasks, or empty if the master does not know it. */
    public Optional<List<TaskStatus>> taskSnapshots(String jobId) throws Exception {
        return onLoop(() -> Optional.ofNullable(jobs.get(jobId)).map(j -> j.taskStatuses(clock.nanos())));
    }

    /** Every worker the master has heard of. */
    public List<WorkerStatus> workerSnapshots() throws Exception {
        return onLoop(() -> workers().stream().map(Protos::fromProto).toList());
    }

    /** The master's record of a job, or null: for tests and simulations that check its bookkeeping. */
    MasterJob jobRecord(String jobId) {
        assertLoop();
        return jobs.get(jobId);
    }

    /** The master's record of a worker, or null: for tests and simulations that check its bookkeeping. */
    WorkerRecord workerRecord(String workerId) {
        assertLoop();
        return workers.get(workerId);
    }

    private MasterJob job(String jobId) {
        MasterJob job = jobs.get(jobId);
        if (job == null) throw new NoSuchElementException("no such job: " + jobId);
        return job;
    }

    /** Commits the output off the loop; the job ends, on the loop, once that is done. */
    private void commit(MasterJob job) {
        job.committing = true;
        io.execute(() -> {
            String error;
            try {
                job.output.commit(job.owner);
                error = null;
            } catch (IOException | RuntimeException e) {
                error = "cannot commit output " + job.output.output() + ": " + e.getMessage();
                LOG.warn("{}: cannot commit output {}", job.id, job.output.output(), e);
            }
            String failure = error;
            onLoopLater(() -> {
                job.committing = false;
                if (failure == null) end(job, JobState.SUCCEEDED, "");
                else end(job, JobState.FAILED, failure);
            });
        });
    }

    private void onLoopLater(Runnable action) {
        try {
            loop.execute(action);
        } catch (RejectedExecutionException e) {
            LOG.debug("master closed; dropping a loop action");
        }
    }

    private void end(MasterJob job, JobState state, String error) {
        job.state = state;
        job.error = error;
        job.finishTimeMs = clock.millis();
        for (MasterTask t : job.tasks().toList()) {
            for (MasterTask.Attempt a : t.abandon()) {
                WorkerRecord w = workers.get(a.workerId());
                if (w != null) w.running.remove(a.ref());
            }
        }
        io.execute(() -> {
            try {
                if (state != JobState.SUCCEEDED) job.output.abort();
                FileTrees.deleteRecursively(job.jar.getParent());
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: cleanup failed", job.id, e);
            }
        });
        long seconds = (job.finishTimeMs - job.submitTimeMs) / 1000;
        if (state == JobState.SUCCEEDED)
            LOG.info("{} ({}) succeeded in {} s: {}", job.id, job.name(), seconds, job.output.output());
        else LOG.warn("{} ({}) {} after {} s: {}", job.id, job.name(), state, seconds, error);
    }

    private void trimHistory() {
        long finished = jobs.values().stream().filter(j -> j.state.isTerminal()).count();
        var it = jobs.values().iterator();
        while (finished > settings.jobHistory() && it.hasNext()) {
            if (it.next().state.isTerminal()) {
                it.remove();
                finished--;
            }
        }
    }

    @Override
    public void close() {
        loop.shutdown();
        if (ownedIo != null) ownedIo.shutdownNow();
    }
}
