package dev.cairn.batch.internal.worker;

import dev.cairn.batch.internal.proto.AttemptRef;
import dev.cairn.batch.internal.proto.CommitTaskRequest;
import dev.cairn.batch.internal.proto.CommitTaskResponse;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.JobMasterGrpc;
import dev.cairn.batch.internal.proto.JobRef;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.SplitRequest;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.proto.TaskUpdate;
import dev.cairn.common.io.FileTrees;
import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.BindableService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task executor of a node: registers with the master, heartbeats, runs the task attempts it
 * is given on a fixed pool of {@code slots} threads, and serves its map outputs to reducers.
 *
 * <p>Threads: one heartbeat thread owns the conversation with the master (registration, launch,
 * kill, job clean-up); task threads only publish their counters and, when they end, queue a final
 * update and wake the heartbeat thread so the master hears of it at once rather than at the next
 * interval. A final update stays queued until a heartbeat carrying it succeeds.
 */
public final class TaskWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskWorker.class);

    private final WorkerSettings settings;
    private final Channels channels;
    private final ExecutorService taskThreads;
    private final Map<String, RunningTask> running = new ConcurrentHashMap<>();
    private final Map<String, JobResources> jobResources = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TaskUpdate> finished = new ConcurrentLinkedQueue<>();
    private final Semaphore wakeup = new Semaphore(0);
    private final Thread heartbeatThread;
    private final AttemptLogs attemptLogs = new AttemptLogs();
    private volatile boolean closed;
    private final WorkerMeters meters;
    private volatile long heartbeatIntervalMs = 1000;
    /** The master this worker is registered with (or about to be); only the heartbeat thread writes it. */
    private volatile String masterEndpoint;

    public TaskWorker(WorkerSettings settings, Channels channels) throws IOException {
        this(settings, channels, new WorkerMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    }

    public TaskWorker(WorkerSettings settings, Channels channels, WorkerMeters meters) throws IOException {
        this.meters = meters;
        this.settings = settings;
        this.channels = channels;
        FileTrees.deleteRecursively(jobsDir());
        Files.createDirectories(jobsDir());
        AtomicInteger n = new AtomicInteger();
        this.taskThreads = Executors.newFixedThreadPool(settings.slots(), r -> {
            Thread t = new Thread(r, "task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.heartbeatThread =
                Thread.ofPlatform().daemon().name("worker-heartbeat").unstarted(this::heartbeatLoop);
    }

    public void start() {
        heartbeatThread.start();
    }

    /** What attempt {@code attempt} of {@code taskId} logged on this worker, if it ran here lately. */
    public Optional<List<String>> attemptLog(String jobId, String taskId, int attempt) {
        return attemptLogs.lines(RunningTask.key(jobId, taskId, attempt));
    }

    public List<BindableService> services() {
        return List.of(new ShuffleServer(
                jobId -> {
                    JobResources r = jobResources.get(jobId);
                    return r == null ? null : r.mapOutputDir();
                },
                meters));
    }

    private Path jobsDir() {
        return settings.dir().resolve("jobs");
    }

    private JobMasterGrpc.JobMasterBlockingStub master() {
        return JobMasterGrpc.newBlockingStub(channels.get(masterEndpoint))
                .withDeadlineAfter(settings.rpcDeadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- heartbeat thread ----------------------------------------------------------------

    private void heartbeatLoop() {
        boolean registered = false;
        int failures = 0;
        List<TaskUpdate> unacked = new ArrayList<>();
        while (!closed) {
            try {
                String located = settings.masterLocator().get();
                if (located == null) {
                    if (failures++ % 10 == 0) LOG.warn("worker {}: no active master known yet", settings.workerId());
                    if (!pause()) return;
                    continue;
                }
                if (!located.equals(masterEndpoint)) {
                    if (masterEndpoint != null) {
                        LOG.warn(
                                "worker {}: the active master moved from {} to {}; dropping all tasks and registering there",
                                settings.workerId(),
                                masterEndpoint,
                                located);
                        reset();
                    }
                    masterEndpoint = located;
                    registered = false;
                }
                if (!registered) {
                    var resp = Rpc.call(
                            masterEndpoint,
                            "RegisterWorker",
                            () -> master().registerWorker(RegisterWorkerRequest.newBuilder()
                                    .setWorkerId(settings.workerId())
                                    .setEndpoint(settings.endpoint())
                                    .setSlots(settings.slots())
                                    .build()));
                    heartbeatIntervalMs = resp.getHeartbeatIntervalMs();
                    registered = true;
                    LOG.info("worker {} registered with master {}", settings.workerId(), masterEndpoint);
                }
                for (TaskUpdate u; (u = finished.poll()) != null; ) unacked.add(u);
                HeartbeatRequest.Builder req = HeartbeatRequest.newBuilder()
                        .setWorkerId(settings.workerId())
                        .addAllUpdates(unacked)
                        .setFreeSlots(settings.slots() - running.size())
                        .addAllActiveJobs(jobResources.keySet());
                for (RunningTask t : running.values()) req.addUpdates(update(t, TaskUpdate.State.RUNNING, ""));
                HeartbeatResponse resp = Rpc.call(masterEndpoint, "Heartbeat", () -> master().heartbeat(req.build()));
                unacked.clear();
                failures = 0;
                if (resp.getReregister()) {
                    LOG.warn(
                            "master {} does not know worker {}: dropping all tasks and registering again",
                            masterEndpoint,
                            settings.workerId());
                    reset();
                    registered = false;
                    continue;
                }
                for (SplitRequest s : resp.getSplitList()) {
                    AttemptRef a = s.getAttempt();
                    RunningTask t = running.get(RunningTask.key(a.getJobId(), a.getTaskId(), a.getAttempt()));
                    if (t != null) t.splitRequest = Math.max(0, Math.min(1, s.getKeep()));
                }
                for (AttemptRef k : resp.getKillList())
                    kill(RunningTask.key(k.getJobId(), k.getTaskId(), k.getAttempt()));
                for (String jobId : resp.getEndedJobsList()) release(jobId);
                for (TaskAssignment a : resp.getLaunchList()) launch(a);
            } catch (RemoteException e) {
                if (failures++ % 10 == 0)
                    LOG.warn(
                            "worker {}: master {} unreachable: {}",
                            settings.workerId(),
                            masterEndpoint,
                            e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("worker {}: heartbeat failed", settings.workerId(), e);
            }
            if (!pause()) return;
        }
    }

    /** Waits for the next heartbeat time or an earlier wake-up; false when interrupted. */
    private boolean pause() {
        try {
            if (wakeup.tryAcquire(heartbeatIntervalMs, TimeUnit.MILLISECONDS)) wakeup.drainPermits();
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static TaskUpdate update(RunningTask t, TaskUpdate.State state, String error) {
        return TaskUpdate.newBuilder()
                .setJobId(t.jobId())
                .setTaskId(t.taskId())
                .setAttempt(t.attempt())
                .setState(state)
                .setProgress(t.progress)
                .setRecordsIn(t.recordsIn)
                .setRecordsOut(t.recordsOut)
                .setBytesOut(t.bytesOut)
                .setInputLocalBytes(t.inputLocalBytes)
                .setInputRemoteBytes(t.inputRemoteBytes)
                .putAllCounters(t.countersSnapshot())
                .setPosition(t.position)
                .setSplitEnd(t.splitEnd)
                .addAllPartitionBytes(
                        state == TaskUpdate.State.SUCCEEDED
                                ? java.util.Arrays.stream(t.partitionBytes)
                                        .boxed()
                                        .toList()
                                : List.of())
                .setError(error)
                .build();
    }

    private void launch(TaskAssignment a) {
        RunningTask task = new RunningTask(a);
        running.put(task.key, task);
        task.future = taskThreads.submit(() -> runTask(task));
    }

    private void kill(String key) {
        RunningTask t = running.remove(key);
        if (t != null) {
            LOG.info("killing task attempt {}", key);
            t.cancelled = true;
            if (t.future != null) t.future.cancel(true);
        }
    }

    private void release(String jobId) {
        for (String key : List.copyOf(running.keySet())) if (key.startsWith(jobId + "/")) kill(key);
        JobResources r = jobResources.remove(jobId);
        if (r != null) {
            try {
                r.close();
                LOG.info("released resources of ended job {}", jobId);
            } catch (IOException e) {
                LOG.warn("cannot clean up job {}", jobId, e);
            }
        }
    }

    private void reset() {
        for (String key : List.copyOf(running.keySet())) kill(key);
        finished.clear();
        for (String jobId : List.copyOf(jobResources.keySet())) release(jobId);
    }

    // ---- task threads --------------------------------------------------------------------

    private void runTask(RunningTask task) {
        TaskUpdate result;
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        AttemptLogs.Buffer log = attemptLogs.start(task.key);
        try {
            JobResources job = resources(task.jobId());
            current.setContextClassLoader(job.loader);
            if (!task.assignment.getProgramClass().isEmpty()) {
                new StageTaskRunner(task, job, settings, channels, this::askCommit).run();
            } else if (task.taskId().startsWith("map-")) {
                new MapTaskRunner(task, job, settings).run();
            } else {
                ShuffleFetcher fetcher = new ShuffleFetcher(
                        channels, settings, task, job.dir.resolve("shuffle").resolve(task.attemptId()));
                try {
                    new ReduceTaskRunner(task, job, fetcher, this::askCommit, settings.fileSystems()).run();
                } finally {
                    FileTrees.deleteRecursively(job.dir.resolve("shuffle").resolve(task.attemptId()));
                }
            }
            task.progress = 1;
            result = update(task, TaskUpdate.State.SUCCEEDED, "");
            log.note("attempt " + task.key + " succeeded");
        } catch (Throwable t) {
            if (task.cancelled) {
                meters.attemptEnded(task, WorkerMeters.Outcome.KILLED);
                log.note("attempt " + task.key + " killed");
                return;
            }
            log.note("attempt " + task.key + " failed: " + UserCode.describe(t));
            TaskUpdate.Builder b = update(task, TaskUpdate.State.FAILED, UserCode.describe(t)).toBuilder();
            if (t instanceof FetchFailure ff) b.setFetchFailedAttempt(ff.mapAttempt);
            result = b.build();
        } finally {
            current.setContextClassLoader(previous);
            AttemptLogs.stop();
        }
        meters.attemptEnded(
                task,
                result.getState() == TaskUpdate.State.SUCCEEDED
                        ? WorkerMeters.Outcome.SUCCEEDED
                        : WorkerMeters.Outcome.FAILED);
        if (running.remove(task.key) != null) {
            finished.add(result);
            wakeup.release();
        }
    }

    private String askCommit(RunningTask task) {
        CommitTaskResponse r = Rpc.call(
                masterEndpoint,
                "CommitTask",
                () -> master().commitTask(CommitTaskRequest.newBuilder()
                        .setAttempt(AttemptRef.newBuilder()
                                .setJobId(task.jobId())
                                .setTaskId(task.taskId())
                                .setAttempt(task.attempt()))
                        .build()));
        return r.getAllowed() ? null : r.getReason();
    }

    /** The job's jar and class loader, fetched from the master by the first task of the job here. */
    private JobResources resources(String jobId) throws IOException {
        synchronized (jobResources) {
            JobResources r = jobResources.get(jobId);
            if (r != null) return r;
            byte[] jar = Rpc.call(
                            masterEndpoint,
                            "GetJobJar",
                            () -> master().getJobJar(
                                            JobRef.newBuilder().setJobId(jobId).build()))
                    .getJar()
                    .toByteArray();
            r = new JobResources(jobId, jobsDir().resolve(jobId), jar);
            jobResources.put(jobId, r);
            return r;
        }
    }

    @Override
    public void close() {
        closed = true;
        heartbeatThread.interrupt();
        reset();
        taskThreads.shutdownNow();
        try {
            heartbeatThread.join(2000);
            taskThreads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
