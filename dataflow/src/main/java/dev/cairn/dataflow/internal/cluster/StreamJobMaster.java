package dev.cairn.dataflow.internal.cluster;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.common.fs.FsUser;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.StreamJobRegistry;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.Savepoint;
import dev.cairn.dataflow.internal.graph.ProgramPaths;
import dev.cairn.dataflow.internal.proto.ChainHead;
import dev.cairn.dataflow.internal.proto.CheckpointCommand;
import dev.cairn.dataflow.internal.proto.Deployment;
import dev.cairn.dataflow.internal.proto.HeartbeatRequest;
import dev.cairn.dataflow.internal.proto.HeartbeatResponse;
import dev.cairn.dataflow.internal.proto.JobStatusProto;
import dev.cairn.dataflow.internal.proto.RegisterWorkerRequest;
import dev.cairn.dataflow.internal.proto.RegisterWorkerResponse;
import dev.cairn.dataflow.internal.proto.RunRef;
import dev.cairn.dataflow.internal.proto.SavepointResponse;
import dev.cairn.dataflow.internal.proto.SubmitRequest;
import dev.cairn.dataflow.internal.proto.SubtaskEvent;
import dev.cairn.dataflow.internal.proto.SubtaskSample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream master: accepts stream jobs, places their subtasks on workers' slots, coordinates
 * their checkpoints and restarts them from the latest complete one when a subtask fails or a
 * worker is lost.
 *
 * <p>One loop thread owns every field below ({@link #assertLoop}); RPC handlers run their work on
 * it through {@link #onLoop}, and a tick on it expires silent workers, triggers checkpoints and
 * starts runs that wait. Workers pull: each heartbeat carries their subtask events and returns
 * what the master queued for them (deployments, cancellations, checkpoint commands).
 *
 * <p>What survives the master: every job's submission is a file under {@code dir/<job>} and its
 * record in the {@link StreamJobRegistry} (coord in a cluster) says whether it runs, its latest
 * run and its latest complete checkpoint; checkpoints are in {@code dir/<job>/checkpoints}, or in
 * {@link Settings#checkpointDir} (Cairn's store, say) when it is set. A
 * master that becomes active restarts every running job from its latest complete checkpoint.
 *
 * <p>Savepoints ({@link #savepoint}): a checkpoint triggered now and copied out of the job's
 * storage when it completes ({@link Savepoint}); a job submitted with a savepoint restores from
 * it, at any parallelism, until it has a checkpoint of its own.
 */
public final class StreamJobMaster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamJobMaster.class);
    private static final Pattern JOB_ID = Pattern.compile("stream-(\\d+)");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Duration REGISTRATION_GRACE = Duration.ofSeconds(1);
    private static final Duration TICK = Duration.ofMillis(20);

    /**
     * What the master needs.
     *
     * @param dir shared by every master: job submissions, and checkpoints unless {@code checkpointDir} is set
     * @param checkpointDir where each job's checkpoints go ({@code <checkpointDir>/<job>}), on any
     *     of {@code fileSystems}; null: {@code dir/<job>/checkpoints}. Savepoints go where they are
     *     asked to (any file system), by default to {@code dir/savepoints}
     * @param workerTimeout a worker silent this long is lost, and its runs fail
     * @param heartbeatInterval how often workers heartbeat
     * @param restartDelay how long a failed job waits before it runs again
     * @param fileSystems where the paths of submitted jobs are checked
     */
    public record Settings(
            Path dir,
            String checkpointDir,
            Duration workerTimeout,
            Duration heartbeatInterval,
            Duration restartDelay,
            FileSystemRegistry fileSystems) {}

    private static final class Worker {
        final String id;
        final String dataAddress;
        final int slots;
        long lastSeenNanos;
        final List<Deployment> deploy = new ArrayList<>();
        final List<RunRef> cancel = new ArrayList<>();
        final List<CheckpointCommand> commands = new ArrayList<>();

        Worker(String id, String dataAddress, int slots, long now) {
            this.id = id;
            this.dataAddress = dataAddress;
            this.slots = slots;
            this.lastSeenNanos = now;
        }
    }

    private final Settings settings;
    private final StreamJobRegistry registry;
    private final Clock clock;
    private final StreamMeters.Master meters;
    private final ScheduledExecutorService loop;
    private volatile Thread loopThread;
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Map<String, StreamJob> jobs = new LinkedHashMap<>();
    /**
     * Jobs that ended under an earlier active master, as their last status ({@code status.pb} in
     * their directory): a new master still answers for them.
     */
    private final Map<String, JobStatusProto> endedBefore = new java.util.TreeMap<>();

    private final List<PendingSavepoint> savepoints = new ArrayList<>();
    private boolean active;
    private int nextNumber = 1;

    /**
     * A savepoint asked for: its checkpoint is triggered (again if one was pending or it was
     * aborted), copied out when it completes; with {@code stop} the job is then cancelled, and the
     * answer waits until every worker stopped the run (so a job resumed from the savepoint never
     * meets the old run's sinks).
     */
    private static final class PendingSavepoint {
        final StreamJob job;
        final String path;
        final boolean stop;
        final CompletableFuture<SavepointResponse> result = new CompletableFuture<>();
        long checkpointId = -1;
        SavepointResponse written;

        PendingSavepoint(StreamJob job, String path, boolean stop) {
            this.job = job;
            this.path = path;
            this.stop = stop;
        }
    }

    public StreamJobMaster(Settings settings, StreamJobRegistry registry, Clock clock) throws IOException {
        this(settings, registry, clock, new StreamMeters.Master(new SimpleMeterRegistry()));
    }

    public StreamJobMaster(Settings settings, StreamJobRegistry registry, Clock clock, StreamMeters.Master meters)
            throws IOException {
        this.meters = meters;
        this.settings = settings;
        this.registry = registry;
        this.clock = clock;
        Files.createDirectories(settings.dir());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stream-master");
            t.setDaemon(true);
            loopThread = t;
            return t;
        });
        var unused = loop.scheduleWithFixedDelay(
                () -> {
                    try {
                        tick();
                    } catch (RuntimeException e) {
                        LOG.error("a tick of the stream master failed; it runs again", e);
                    }
                },
                TICK.toMillis(),
                TICK.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code action} on the loop and returns its result, rethrowing its exception. */
    public <T> T onLoop(Callable<T> action) throws Exception {
        try {
            return loop.submit(action).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    private void assertLoop() {
        assert Thread.currentThread() == loopThread : "stream master state touched off its loop";
    }

    /** This master became the active one: restore every running job from its latest checkpoint. */
    public void activate() throws IOException {
        assertLoop();
        if (active) return;
        active = true;
        try (var dirs = Files.list(settings.dir())) {
            for (Path p : (Iterable<Path>) dirs::iterator) {
                Matcher m = JOB_ID.matcher(p.getFileName().toString());
                if (m.matches()) nextNumber = Math.max(nextNumber, Integer.parseInt(m.group(1)) + 1);
            }
        }
        for (Map.Entry<String, String> e : registry.all().entrySet()) {
            String id = e.getKey();
            JobRecord record = JobRecord.parse(e.getValue());
            if (jobs.containsKey(id)) continue;
            if (!record.running()) {
                Path status = jobDir(id).resolve(STATUS_FILE);
                try {
                    if (Files.exists(status)) endedBefore.put(id, JobStatusProto.parseFrom(Files.readAllBytes(status)));
                } catch (IOException ex) {
                    LOG.warn("cannot read the last status of ended stream job {}: {}", id, ex.toString());
                }
                continue;
            }
            try {
                SubmitRequest request =
                        SubmitRequest.parseFrom(Files.readAllBytes(jobDir(id).resolve("job.pb")));
                StreamJob job = newJob(id, request, record.attempt() + 1);
                job.state = StreamJob.State.RESTARTING;
                // The workers learn of this master within moments: give them that long to register,
                // so the job is spread over them rather than packed onto the first one.
                job.restartAtNanos = clock.nanos() + settings.restartDelay().toNanos() + REGISTRATION_GRACE.toNanos();
                jobs.put(id, job);
                LOG.info("job {} restored from coord: it runs again from checkpoint {}", id, job.latestComplete());
            } catch (IOException | RuntimeException ex) {
                LOG.error("job {} cannot be restored by this master: {}", id, ex.toString());
                registry.put(id, new JobRecord(false, record.attempt(), record.checkpoint()).toString());
            }
        }
    }

    /** This master lost the election: it forgets its workers and jobs (the next master restores them). */
    public void deactivate() {
        assertLoop();
        active = false;
        for (PendingSavepoint sp : savepoints) {
            sp.result.completeExceptionally(new IllegalStateException(
                    "this stream master lost its election before the savepoint of job " + sp.job.id + " was written"));
        }
        savepoints.clear();
        workers.clear();
        jobs.clear();
        endedBefore.clear();
    }

    public RegisterWorkerResponse register(RegisterWorkerRequest req) {
        assertLoop();
        if (req.getSlots() < 1) throw new IllegalArgumentException("a worker needs at least one slot");
        Worker previous = workers.put(
                req.getWorkerId(), new Worker(req.getWorkerId(), req.getDataAddress(), req.getSlots(), clock.nanos()));
        if (previous != null) {
            // A worker registers again only after cancelling every run it had (it lost track of
            // this master for a moment): those runs are gone, as if the worker had been lost, and
            // what was queued for it went with the old registration. Else a job counts as running
            // on it, its other subtasks wait for these forever, and no checkpoint completes.
            runsGone(previous.id, "worker " + previous.id + " registered again, its runs cancelled");
        }
        LOG.info(
                "stream worker {} registered: {} slots, data at {}",
                req.getWorkerId(),
                req.getSlots(),
                req.getDataAddress());
        return RegisterWorkerResponse.newBuilder()
                .setHeartbeatIntervalMs(settings.heartbeatInterval().toMillis())
                .build();
    }

    public HeartbeatResponse heartbeat(HeartbeatRequest req) throws IOException {
        assertLoop();
        Worker w = workers.get(req.getWorkerId());
        if (w == null) return HeartbeatResponse.newBuilder().setReregister(true).build();
        w.lastSeenNanos = clock.nanos();
        for (SubtaskEvent event : req.getEventsList()) {
            StreamJob job = jobs.get(event.getRun().getJobId());
            if (job == null
                    || job.state != StreamJob.State.RUNNING
                    || job.attempt != event.getRun().getAttempt()) continue; // of a run that is over
            String failure = job.onEvent(
                    event, (worker, command) -> outbox(worker).commands.add(command));
            if (failure != null) runFailed(job, failure);
            else if (job.state == StreamJob.State.FINISHED) ended(job);
            advanceSavepoints(); // at once: a stop cancels before another checkpoint can start
        }
        for (SubtaskSample sample : req.getSamplesList()) {
            StreamJob job = jobs.get(sample.getRun().getJobId());
            if (job != null
                    && job.state == StreamJob.State.RUNNING
                    && job.attempt == sample.getRun().getAttempt()) job.onSample(sample);
        }
        // Runs the worker still has that the master does not want: cancel them; note runs that stopped.
        Map<String, Integer> running = new HashMap<>();
        for (RunRef r : req.getRunningList()) running.put(r.getJobId(), r.getAttempt());
        for (StreamJob job : jobs.values()) {
            Integer attempt = running.get(job.id);
            Integer stoppingAttempt = job.stopping.get(w.id);
            if (stoppingAttempt != null && !stoppingAttempt.equals(attempt)) job.stopping.remove(w.id);
        }
        for (RunRef r : req.getRunningList()) {
            StreamJob job = jobs.get(r.getJobId());
            boolean wanted = job != null
                    && job.state == StreamJob.State.RUNNING
                    && job.attempt == r.getAttempt()
                    && job.workers().contains(w.id);
            if (!wanted && !w.cancel.contains(r)) w.cancel.add(r);
        }
        HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder()
                .addAllDeploy(w.deploy)
                .addAllCancel(w.cancel)
                .addAllCommands(w.commands);
        w.deploy.clear();
        w.cancel.clear();
        w.commands.clear();
        return b.build();
    }

    private Worker outbox(String worker) {
        Worker w = workers.get(worker);
        // A worker lost meanwhile: its runs fail on the next tick; commands to it go nowhere.
        return w != null ? w : new Worker(worker, "", 0, 0);
    }

    public JobStatusProto submit(SubmitRequest req) throws IOException {
        assertLoop();
        requireActive();
        if (req.getHeadsCount() == 0) throw new IllegalArgumentException("the job has no operators");
        for (ChainHead h : req.getHeadsList()) {
            if (h.getParallelism() < 1) throw new IllegalArgumentException("parallelism must be positive: " + h);
        }
        if (!req.getSavepoint().isEmpty()) checkSavepoint(req);
        int number = nextNumber++;
        String id = "stream-" + number;
        Path dir = jobDir(id);
        Files.createDirectories(dir);
        writeDurably(dir.resolve("job.pb"), req.toByteArray());
        StreamJob job = newJob(id, req, 1);
        jobs.put(id, job);
        registry.put(id, new JobRecord(true, 0, 0).toString());
        LOG.info(
                "stream job {} ({}) submitted by {}: {} subtasks in {} slots",
                id,
                req.getName(),
                req.getOwner(),
                job.subtaskIds.size(),
                job.slotsNeeded);
        tryStart(job);
        return job.status();
    }

    /**
     * Refuses a job whose file sources' inputs are missing or whose sinks' new directories exist,
     * naming the path; only paths with a scheme ({@code cairn://}), the client checked local ones.
     * Touches no loop state: called off the loop, since a check may wait on the store.
     */
    public void checkPaths(SubmitRequest req) {
        checkPaths(req, Optional.empty());
    }

    /**
     * Like {@link #checkPaths(SubmitRequest)}, also refusing the job unless {@code checkAs} (when
     * present: its owner, authenticated and no admin) may read its inputs and write its outputs
     * (create a new directory, or, resumed from a savepoint, write into the one there): its
     * subtasks run as their node, which may read and write anything.
     *
     * @throws dev.cairn.common.security.PermissionDeniedException naming the path and the right
     */
    public void checkPaths(SubmitRequest req, Optional<FsUser> checkAs) {
        for (String in : req.getInputPathsList()) {
            if (!ProgramPaths.hasScheme(in)) continue;
            ProgramPaths.requireInput(settings.fileSystems(), in);
            if (checkAs.isPresent()) ProgramPaths.requireReadable(settings.fileSystems(), in, checkAs.get());
        }
        for (String out : req.getNewOutputDirsList()) {
            if (!ProgramPaths.hasScheme(out)) continue;
            // A resumed job writes on into its directories.
            if (req.getSavepoint().isEmpty()) ProgramPaths.requireNewOutput(settings.fileSystems(), out);
            if (checkAs.isPresent()) ProgramPaths.requireCreatable(settings.fileSystems(), out, checkAs.get());
        }
    }

    /** A job resumed from a savepoint must have its operators and chains; one line on what differs. */
    private void checkSavepoint(SubmitRequest req) throws IOException {
        if (req.getSettings().getCheckpointIntervalMs() <= 0) {
            throw new IllegalArgumentException(
                    "a job resumed from a savepoint needs checkpoints: give it a checkpoint interval");
        }
        String dir = req.getSavepoint();
        Savepoint sp = Savepoint.read(settings.fileSystems().forPath(dir), dir);
        List<Integer> heads =
                req.getHeadsList().stream().map(ChainHead::getOperator).toList();
        String mismatch = sp.mismatch(dir, req.getMaxParallelism(), req.getOperatorsList(), heads);
        if (mismatch != null) throw new IllegalArgumentException(mismatch);
    }

    /**
     * Takes a savepoint of a running job: a checkpoint triggered now, copied when complete to
     * {@code path} (empty: {@code dir/savepoints/<job>-<checkpoint>}); with {@code stop}, the job is
     * then cancelled. The future completes off the loop's caller, when the savepoint is written (and
     * with stop, the run stopped everywhere).
     */
    public CompletableFuture<SavepointResponse> savepoint(String jobId, String path, boolean stop) {
        assertLoop();
        requireActive();
        StreamJob job = job(jobId);
        if (job.state.ended()) throw new IllegalStateException("job " + jobId + " is " + job.state + ": no savepoint");
        if (!job.checkpointing()) {
            throw new IllegalStateException("job " + jobId
                    + " takes no checkpoints, so it cannot take a savepoint: submit it with a checkpoint interval");
        }
        PendingSavepoint sp = new PendingSavepoint(job, path, stop);
        savepoints.add(sp);
        advanceSavepoints();
        return sp.result;
    }

    private void advanceSavepoints() {
        for (PendingSavepoint sp : List.copyOf(savepoints)) {
            try {
                advance(sp);
            } catch (IOException | RuntimeException e) {
                sp.result.completeExceptionally(
                        new IllegalStateException("savepoint of job " + sp.job.id + " failed: " + e.getMessage(), e));
            }
            if (sp.result.isDone()) savepoints.remove(sp);
        }
    }

    private void advance(PendingSavepoint sp) throws IOException {
        StreamJob job = sp.job;
        if (sp.written != null) { // stopping: answer once no worker runs the job any more
            if (job.stopping.isEmpty())
                sp.result.complete(
                        sp.written.toBuilder().setStatus(job.status()).build());
            return;
        }
        if (job.state != StreamJob.State.RUNNING) {
            if (job.state == StreamJob.State.RESTARTING || job.state == StreamJob.State.SCHEDULED) {
                sp.checkpointId = -1; // the run it was triggered in is gone: trigger again in the next
                return;
            }
            throw new IllegalStateException("job " + job.id + " "
                    + job.state.name().toLowerCase(java.util.Locale.ROOT) + " before its savepoint completed");
        }
        if (sp.checkpointId >= 0
                && job.coordinator.latestCompleted() < sp.checkpointId
                && job.coordinator.pending() != sp.checkpointId) sp.checkpointId = -1; // aborted: again
        if (sp.checkpointId < 0) {
            sp.checkpointId = job.triggerSavepoint(
                    (worker, command) -> outbox(worker).commands.add(command));
            if (sp.checkpointId >= 0)
                LOG.info("stream job {}: savepoint checkpoint {} triggered", job.id, sp.checkpointId);
            return;
        }
        if (job.coordinator.latestCompleted() < sp.checkpointId) return;
        long id = sp.checkpointId;
        String target = sp.path.isEmpty()
                ? settings.dir()
                        .resolve("savepoints")
                        .resolve(job.id + "-" + id)
                        .toString()
                : sp.path;
        List<Savepoint.Head> heads = new ArrayList<>();
        for (StreamJob.Head h : job.heads) heads.add(new Savepoint.Head(h.operator(), h.parallelism(), h.source()));
        new Savepoint(job.id, id, job.request.getMaxParallelism(), job.request.getOperatorsList(), heads)
                .writeFrom(
                        settings.fileSystems().forPath(checkpointDir(job.id)),
                        FsPaths.child(checkpointDir(job.id), "chk-" + id),
                        settings.fileSystems().forPath(target),
                        target);
        LOG.info("stream job {}: savepoint of checkpoint {} written to {}", job.id, id, target);
        sp.written = SavepointResponse.newBuilder()
                .setPath(target)
                .setCheckpointId(id)
                .build();
        if (!sp.stop) {
            sp.result.complete(sp.written.toBuilder().setStatus(job.status()).build());
            return;
        }
        cancel(job.id);
        job.failure = "stopped with savepoint " + target;
        advance(sp);
    }

    private StreamJob newJob(String id, SubmitRequest req, int attempt) throws IOException {
        Matcher m = JOB_ID.matcher(id);
        if (!m.matches()) throw new IllegalArgumentException("not a stream job id: " + id);
        List<StreamJob.Head> heads = new ArrayList<>();
        for (ChainHead h : req.getHeadsList())
            heads.add(new StreamJob.Head(h.getOperator(), h.getParallelism(), h.getSource()));
        return new StreamJob(
                id,
                Integer.parseInt(m.group(1)),
                req,
                heads,
                CheckpointStorage.at(settings.fileSystems(), checkpointDir(id)),
                clock,
                attempt,
                meters);
    }

    public JobStatusProto status(String jobId) {
        assertLoop();
        requireActive();
        JobStatusProto before = endedBefore.get(jobId);
        return before != null ? before : job(jobId).status();
    }

    /** The user job {@code jobId} belongs to. */
    public String owner(String jobId) {
        assertLoop();
        requireActive();
        JobStatusProto before = endedBefore.get(jobId);
        return before != null ? before.getOwner() : job(jobId).request.getOwner();
    }

    /** Every job this master knows: those that ended under an earlier one, then its own. */
    public List<JobStatusProto> list() {
        assertLoop();
        requireActive();
        List<JobStatusProto> all = new ArrayList<>(endedBefore.values());
        for (StreamJob job : jobs.values()) all.add(job.status());
        return all;
    }

    public JobStatusProto cancel(String jobId) throws IOException {
        assertLoop();
        requireActive();
        JobStatusProto before = endedBefore.get(jobId);
        if (before != null) return before;
        StreamJob job = job(jobId);
        if (job.state.ended()) return job.status();
        stopRun(job);
        job.state = StreamJob.State.CANCELLED;
        job.failure = "cancelled";
        ended(job);
        return job.status();
    }

    private StreamJob job(String jobId) {
        StreamJob job = jobs.get(jobId);
        if (job == null) throw new NoSuchElementException("no stream job " + jobId);
        return job;
    }

    private void requireActive() {
        if (!active) throw new IllegalStateException("this stream master is not active");
    }

    private void tick() {
        if (!active) return;
        long now = clock.nanos();
        for (Worker w : List.copyOf(workers.values())) {
            if (now - w.lastSeenNanos < settings.workerTimeout().toNanos()) continue;
            workers.remove(w.id);
            LOG.warn(
                    "stream worker {} lost: no heartbeat for {} ms",
                    w.id,
                    settings.workerTimeout().toMillis());
            runsGone(
                    w.id,
                    "worker " + w.id + " lost: no heartbeat for "
                            + settings.workerTimeout().toMillis() + " ms");
        }
        for (StreamJob job : List.copyOf(jobs.values())) {
            try {
                switch (job.state) {
                    case RUNNING ->
                        job.tick((worker, command) -> outbox(worker).commands.add(command));
                    case SCHEDULED, RESTARTING -> {
                        if (job.stopping.isEmpty() && now - job.restartAtNanos >= 0) tryStart(job);
                    }
                    default -> {}
                }
            } catch (IOException | RuntimeException e) {
                runFailed(job, "the master could not go on with the job: " + e);
            }
        }
        advanceSavepoints();
    }

    /** A worker's runs are gone (it was lost, or registered again): every run it had fails with {@code why}. */
    private void runsGone(String workerId, String why) {
        for (StreamJob job : List.copyOf(jobs.values())) {
            job.stopping.remove(workerId);
            if (job.state == StreamJob.State.RUNNING && job.workers().contains(workerId)) runFailed(job, why);
        }
    }

    /** Starts the job's next run if enough slots are free: places its slots and queues the deployments. */
    private void tryStart(StreamJob job) throws IOException {
        Map<String, Integer> free = new LinkedHashMap<>();
        for (Worker w : workers.values()) free.put(w.id, w.slots);
        for (StreamJob other : jobs.values()) {
            if (other.state != StreamJob.State.RUNNING) continue;
            for (String w : other.slotWorkers) free.computeIfPresent(w, (k, v) -> v - 1);
        }
        int total = free.values().stream().mapToInt(Integer::intValue).sum();
        if (total < job.slotsNeeded) return; // waits; the status says SCHEDULED or RESTARTING
        List<String> slots = new ArrayList<>();
        while (slots.size() < job.slotsNeeded) {
            // Spread: the next slot goes to the worker with the most free slots (ties: registration order).
            String best = free.entrySet().stream()
                    .max(Comparator.comparingInt(Map.Entry::getValue))
                    .orElseThrow()
                    .getKey();
            slots.add(best);
            free.merge(best, -1, Integer::sum);
        }
        long restoreFrom = job.checkpointing() ? job.latestComplete() : 0;
        if (restoreFrom > 0) job.storage.discard(restoreFrom + 1); // what a failed run left of its next checkpoint
        // No checkpoint of its own yet: a resumed job starts from its savepoint, and numbers its
        // checkpoints after the savepoint's (so that its sinks' files never take an old file's name).
        String savepoint = restoreFrom == 0 ? job.request.getSavepoint() : "";
        long numberedAfter = savepoint.isEmpty()
                ? restoreFrom
                : Savepoint.read(settings.fileSystems().forPath(savepoint), savepoint)
                        .checkpointId();
        if (!savepoint.isEmpty()) job.storage.discard(numberedAfter + 1);
        job.started(slots, numberedAfter);
        Deployment.Builder d = Deployment.newBuilder()
                .setRun(job.run())
                .setNetworkId(job.networkId())
                .setJobName(job.request.getName())
                .setOwner(job.request.getOwner())
                .setGraph(job.request.getGraph())
                .setJar(job.request.getJar())
                .setSettings(job.request.getSettings())
                .addAllSlotWorkers(slots)
                .setRestoreCheckpoint(restoreFrom)
                .setRestoreSavepoint(savepoint)
                .setCheckpointDir(checkpointDir(job.id));
        for (String w : job.workers()) d.putDataAddresses(w, workers.get(w).dataAddress);
        Deployment deployment = d.build();
        for (String w : job.workers()) workers.get(w).deploy.add(deployment);
        registry.put(job.id, new JobRecord(true, job.attempt, restoreFrom).toString());
        LOG.info(
                "stream job {} run {} deployed on {}{}",
                job.id,
                job.attempt,
                slots,
                restoreFrom > 0
                        ? ", restoring checkpoint " + restoreFrom
                        : savepoint.isEmpty() ? "" : ", restoring savepoint " + savepoint);
    }

    /** The current run failed: restart from the latest checkpoint while restarts remain, else fail the job. */
    private void runFailed(StreamJob job, String failure) {
        if (job.state != StreamJob.State.RUNNING) return;
        LOG.warn("stream job {} run {} failed: {}", job.id, job.attempt, firstLine(failure));
        stopRun(job);
        int limit = job.request.getSettings().getRestartAttempts();
        if (!job.checkpointing() || job.restarts >= limit) {
            job.state = StreamJob.State.FAILED;
            job.failure = job.checkpointing()
                    ? failure + " (after " + job.restarts + " restarts from checkpoints)"
                    : failure + " (the job takes no checkpoints, so it cannot restart)";
            ended(job);
            return;
        }
        job.restarts++;
        job.attempt++;
        job.failure = "restarted after: " + firstLine(failure);
        job.state = StreamJob.State.RESTARTING;
        job.restartAtNanos = clock.nanos() + settings.restartDelay().toNanos();
    }

    /** Cancels the current run on its live workers; the next run waits until they report it stopped. */
    private void stopRun(StreamJob job) {
        RunRef run = job.run();
        for (String w : job.workers()) {
            Worker worker = workers.get(w);
            if (worker == null) continue;
            worker.cancel.add(run);
            worker.deploy.removeIf(d -> d.getRun().equals(run));
            job.stopping.put(w, job.attempt);
        }
        job.slotWorkers = List.of();
    }

    private void ended(StreamJob job) {
        if (job.endedAtMillis == 0) job.endedAtMillis = clock.millis();
        job.slotWorkers = List.of();
        LOG.info(
                "stream job {} {}{}",
                job.id,
                job.state.name().toLowerCase(java.util.Locale.ROOT),
                job.failure.isEmpty() ? "" : ": " + firstLine(job.failure));
        try {
            // Its last status first, for the next active master to show (the record says it ended).
            writeDurably(jobDir(job.id).resolve(STATUS_FILE), job.status().toByteArray());
            long checkpoint = job.latestCheckpoint == null ? 0 : job.latestCheckpoint.getId();
            registry.put(job.id, new JobRecord(false, job.attempt, checkpoint).toString());
        } catch (IOException e) {
            LOG.warn("cannot record the end of stream job {} in coord: {}", job.id, e.toString());
        }
    }

    /** Where job {@code id} keeps its checkpoints: see {@link Settings#checkpointDir}. */
    private String checkpointDir(String id) {
        return settings.checkpointDir() == null
                ? jobDir(id).resolve("checkpoints").toString()
                : FsPaths.child(settings.checkpointDir(), id);
    }

    /** A job's last status, written when it ends. */
    private static final String STATUS_FILE = "status.pb";

    private Path jobDir(String id) {
        return settings.dir().resolve(id);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A job's record in the registry: whether it runs, its latest run, its latest complete checkpoint. */
    record JobRecord(boolean running, int attempt, long checkpoint) {
        static JobRecord parse(String s) {
            try {
                Map<String, String> kv = new HashMap<>();
                for (String part : WHITESPACE.splitAsStream(s.trim()).toList()) {
                    int eq = part.indexOf('=');
                    if (eq > 0) kv.put(part.substring(0, eq), part.substring(eq + 1));
                }
                return new JobRecord(
                        "running".equals(kv.get("state")),
                        Integer.parseInt(kv.getOrDefault("attempt", "0")),
                        Long.parseLong(kv.getOrDefault("checkpoint", "0")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed stream job record '" + s + "'", e);
            }
        }

        @Override
        public String toString() {
            return "state=" + (running ? "running" : "ended") + " attempt=" + attempt + " checkpoint=" + checkpoint;
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
