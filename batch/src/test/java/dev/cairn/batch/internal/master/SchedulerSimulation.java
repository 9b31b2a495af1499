package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobState;
import dev.cairn.batch.StageSpec;
import dev.cairn.batch.internal.proto.CommitTaskResponse;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.MapOutputLocation;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.proto.TaskUpdate;
import dev.cairn.batch.testing.TestingFileSystem;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One seeded run of the real {@link JobMaster} against simulated workers, on one thread: a
 * manual clock, one event queue ordered by (time, sequence), and every decision drawn from one
 * {@link SplittableRandom}. The same seed gives the same run, event for event. Jobs are MapReduce
 * jobs or, a third of them, graphs of four stages (map and side over the input, mid reading both
 * as a join does, reduce), whose middle stage fetches its parents' outputs like a reduce and
 * writes partitions like a map. The master adapts: it re-splits running file tasks (the simulated
 * workers accept a split unless they have read past it, or, now and then, refuse), and it
 * re-plans mid and reduce stages from the partition sizes their parents report (coalesced,
 * and a skewed partition of mid split by the map outputs of map, or of side).
 *
 * <p>Events: worker registrations, heartbeats (progress, finished attempts, free slots; the reply
 * launches, kills and ends), attempts finishing (maps succeed or fail; a reduce fetches its map
 * outputs, then asks to commit and writes its part file), the master's deferred work (its
 * periodic expiry check, its output commit and clean-up, which run as events of their own), job
 * submissions and cancellations, and faults: a worker crashes (and later starts again under the
 * same id), freezes for a while (shorter or longer than the worker timeout; its attempts resume
 * when it thaws and may race its first heartbeat), or is slow throughout. Some jobs hold a task
 * that always fails.
 *
 * <p>The simulation keeps its own ledger of what happened — launches, reported outcomes, which
 * attempts the master has seen end — and checks the master's decisions against it as they are
 * made and after every event:
 * <ul>
 *   <li>slots: no worker runs more attempts than it has slots, nor does the master place more;
 *   <li>attempts: a task is launched again only once the master has seen its previous attempt end
 *       (outcome delivered, worker declared dead or registered again, job ended), except for one
 *       speculative copy of a straggler (the master speculates: slow workers make stragglers),
 *       which runs on another worker than the attempt it copies, never a third at once; attempt
 *       numbers run 1, 2, 3, … without gaps; once one attempt's success is delivered, the other
 *       no longer counts;
 *   <li>commits: a reduce's commit is granted only to an attempt the master still runs, and never
 *       while another attempt holding a grant may still run; a succeeded job's every part file is
 *       the one its reduce's successful, granted attempt wrote, and the output has {@code _SUCCESS};
 *   <li>map outputs: a reduce is given exactly one output per map, each the last successful attempt
 *       of that map, never one a reducer reported unfetchable; a map is re-run only if its output
 *       could be gone (its worker crashed, froze, restarted or was declared dead, or a reducer could
 *       not fetch from it); when the master drops a worker, no task whose output lived there still
 *       counts as done while the stage reading it is unfinished;
 *   <li>exactly once: in a succeeded job, the input ranges of the file stages' successful attempts
 *       (as cut short by the splits they accepted, and equal to the master's final splits) cover
 *       the input without gap or overlap, and the successful tasks of every stage reading
 *       parents read each parent partition of each map output exactly once — a piece of a split
 *       partition reading the other parents' partition whole ({@link SimCoverage});
 *   <li>outcomes: a job with a task that always fails does not succeed; a job ends CANCELLED only
 *       if it was asked to, leaving no output; any job that fails names a task
 *       that the simulation saw fail or lose {@value #MAX_ATTEMPTS} attempts (or had more fetch
 *       failures than the master allows); a failed job leaves no output and no staging directory;
 *   <li>liveness: every job ends within {@value #MAX_EVENTS} events.
 * </ul>
 */
final class SchedulerSimulation {
    static final int WORKERS = 100;
    static final int MAX_ATTEMPTS = 4;
    static final int MAX_EVENTS = 200_000;
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LOCALITY_WAIT = Duration.ofSeconds(2);
    private static final int BLOCK = 100;
    private static final long MS = 1_000_000L;

    private record Event(long at, long seq, String what, Runnable action) {}

    private final long seed;
    private final SplittableRandom random;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final PriorityQueue<Event> queue =
            new PriorityQueue<>(Comparator.comparingLong(Event::at).thenComparingLong(Event::seq));
    private long seq;
    private long events;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private int pendingIo;

    private final TestingFileSystem store;
    private final JobMaster master;
    private final Map<String, SimWorker> workers = new LinkedHashMap<>();
    private final Map<String, SimJob> jobs = new LinkedHashMap<>();
    private final Map<String, TaskLedger> tasks = new HashMap<>();
    /** Map outputs ({@code job/map-NNNNN_n}) a reducer told the master it could not fetch. */
    private final Set<String> unfetchable = new HashSet<>();

    private final int faults;
    private int jobsPlanned;
    private final int[] hostOffset = new int[2];

    SchedulerSimulation(long seed, Path dir) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        hostOffset[0] = random.nextInt(WORKERS);
        hostOffset[1] = random.nextInt(WORKERS);
        // Block i lies on two workers, except every 7th block, whose only holder is not a worker.
        store = TestingFileSystem.create(
                BLOCK,
                i -> i % 7 == 6
                        ? List.of("gone")
                        : List.of(
                                workerId((i * 37 + hostOffset[0]) % WORKERS),
                                workerId((i * 11 + hostOffset[1]) % WORKERS)));
        MasterSettings settings = new MasterSettings(
                dir,
                TIMEOUT,
                HEARTBEAT,
                BLOCK,
                MAX_ATTEMPTS,
                100,
                LOCALITY_WAIT,
                FileSystemRegistry.local().with(store),
                new SpeculationPolicy(true, 1.5, Duration.ofSeconds(1)),
                // Adaptive: re-splits of any gain and size; partitions re-planned against random targets.
                new ResplitPolicy(true, Duration.ofSeconds(1), 1),
                new PartitionPlanner(true, random.nextLong(1, 4_000), 2.0, 0));
        ManualMasterLoop loop = new ManualMasterLoop(clock, this::at);
        master = new JobMaster(settings, clock, this::io, loop);
        faults = random.nextInt(5, 25);
    }

    static String workerId(int i) {
        return String.format("w%03d", i);
    }

    // ---- the event queue -----------------------------------------------------------------

    private void at(long nanos, String what, Runnable action) {
        queue.add(new Event(Math.max(nanos, clock.nanos()), seq++, what, action));
    }

    private void after(long millis, String what, Runnable action) {
        at(clock.nanos() + millis * MS, what, action);
    }

    /** The master's output I/O: each piece runs as an event of its own, a little later. */
    private void io(Runnable work) {
        pendingIo++;
        after(random.nextInt(1, 300), "master output I/O", () -> {
            pendingIo--;
            work.run();
        });
    }

    void run() throws Exception {
        try {
            setUp();
            while (!done()) {
                Event e = queue.poll();
                if (e == null) throw new AssertionError("event queue ran dry");
                if (++events > MAX_EVENTS)
                    throw new AssertionError("jobs not finished after " + MAX_EVENTS + " events: " + unfinished());
                if (e.at > clock.nanos()) clock.advance(e.at - clock.nanos(), TimeUnit.NANOSECONDS);
                remember(e.what);
                e.action.run();
                check();
            }
            finalChecks();
            stats.runs++;
            stats.events = events;
            stats.simulatedMillis = TimeUnit.NANOSECONDS.toMillis(clock.nanos());
        } catch (Throwable t) {
            throw new AssertionError(
                    "simulation seed " + seed + " (replay: -Dsim.seed=" + seed + "), event " + events + " at t="
                            + TimeUnit.NANOSECONDS.toMillis(clock.nanos()) + " ms: " + t.getMessage()
                            + "\n  last events:\n    " + String.join("\n    ", recent),
                    t);
        } finally {
            master.close();
        }
    }

    /** What a run exercised, summed over seeds: evidence that the faults happened, not only that nothing broke. */
    static final class Stats {
        long runs,
                events,
                simulatedMillis,
                launches,
                jobsSucceeded,
                jobsCancelled,
                jobsFailed,
                jobsFailedByPoison,
                jobsFailedByLosses,
                jobsFailedByFetches,
                crashes,
                freezes,
                declaredDead,
                injectedFailures,
                fetchFailures,
                mapReruns,
                regrantedCommits,
                refusedCommits,
                speculativeLaunches,
                splitsAccepted,
                resplitTasks,
                coalescedStages,
                skewSplits;

        void add(Stats o) {
            runs += o.runs;
            events += o.events;
            simulatedMillis += o.simulatedMillis;
            launches += o.launches;
            jobsSucceeded += o.jobsSucceeded;
            jobsCancelled += o.jobsCancelled;
            jobsFailed += o.jobsFailed;
            jobsFailedByPoison += o.jobsFailedByPoison;
            jobsFailedByLosses += o.jobsFailedByLosses;
            jobsFailedByFetches += o.jobsFailedByFetches;
            crashes += o.crashes;
            freezes += o.freezes;
            declaredDead += o.declaredDead;
            injectedFailures += o.injectedFailures;
            fetchFailures += o.fetchFailures;
            mapReruns += o.mapReruns;
            regrantedCommits += o.regrantedCommits;
            refusedCommits += o.refusedCommits;
            speculativeLaunches += o.speculativeLaunches;
            splitsAccepted += o.splitsAccepted;
            resplitTasks += o.resplitTasks;
            coalescedStages += o.coalescedStages;
            skewSplits += o.skewSplits;
        }

        @Override
        public String toString() {
            return String.format(
                    "%d runs, %d events, %d s simulated, %d launches; jobs %d succeeded, %d cancelled, %d failed (%d on a poisoned task, %d on lost attempts, %d on fetch failures); %d crashes, %d freezes,"
                            + " %d workers declared dead; %d injected task failures, %d fetch failures, %d maps re-run, %d commits re-granted,"
                            + " %d refused; %d speculative launches; %d splits accepted, %d re-split tasks; %d stages coalesced,"
                            + " %d skewed partitions split",
                    runs,
                    events,
                    simulatedMillis / 1000,
                    launches,
                    jobsSucceeded,
                    jobsCancelled,
                    jobsFailed,
                    jobsFailedByPoison,
                    jobsFailedByLosses,
                    jobsFailedByFetches,
                    crashes,
                    freezes,
                    declaredDead,
                    injectedFailures,
                    fetchFailures,
                    mapReruns,
                    regrantedCommits,
                    refusedCommits,
                    speculativeLaunches,
                    splitsAccepted,
                    resplitTasks,
                    coalescedStages,
                    skewSplits);
        }
    }

    private final Stats stats = new Stats();

    Stats stats() {
        return stats;
    }

    /** A digest of every event's time and name, in order. */
    long trace() {
        return trace;
    }

    private long trace = 17;

    private void remember(String what) {
        trace = 31 * (31 * trace + clock.nanos()) + what.hashCode();
        if (recent.size() == 12) recent.removeFirst();
        recent.addLast(TimeUnit.NANOSECONDS.toMillis(clock.nanos()) + " ms: " + what);
    }

    private boolean done() {
        for (SimJob j : jobs.values()) if (j.ended == null) return false;
        return jobs.size() == jobsPlanned && pendingIo == 0;
    }

    private String unfinished() {
        StringBuilder sb = new StringBuilder();
        for (SimJob j : jobs.values()) {
            if (j.ended == null)
                sb.append(j.id)
                        .append(' ')
                        .append(onLoop(() -> master.status(j.id)).getStagesList())
                        .append("; ");
        }
        return sb + "pending I/O " + pendingIo;
    }

    private void setUp() {
        for (int i = 0; i < WORKERS; i++) {
            SimWorker w = new SimWorker(
                    workerId(i), random.nextInt(1, 5), random.nextInt(10) == 0 ? random.nextInt(4, 10) : 1);
            workers.put(w.id, w);
            after(random.nextInt(0, 2000), "register " + w.id, () -> start(w));
        }
        jobsPlanned = random.nextInt(2, 6);
        for (int k = 0; k < jobsPlanned; k++) {
            int n = k;
            after(random.nextInt(0, 30_000), "submit job " + n, () -> submit(n));
        }
        long t = 0;
        for (int i = 0; i < faults; i++) {
            t += random.nextInt(500, 8000);
            after(t, "fault " + i, this::fault);
        }
    }

    // ---- jobs ----------------------------------------------------------------------------

    private final class SimJob {
        final String id;
        final int maps;
        /** Partitions of the middle stage of a four-stage job (map and side, mid, reduce), which reads both; 0 for a MapReduce job. */
        final int mids;

        final int reduces;
        /** A task every attempt of which fails, or null. */
        final String poison;
        /** The partition of the map and side outputs that a hot key makes far larger; -1 if none. */
        final int hot;
        /** Partitions of the map and side outputs that are empty (a selective filter); null if none. */
        final boolean[] empty;

        final String output;
        int fetchFailures;
        boolean cancelRequested;
        JobState ended;

        SimJob(String id, int maps, int mids, int reduces, String poison, String output) {
            this.id = id;
            this.maps = maps;
            this.mids = mids;
            this.reduces = reduces;
            this.poison = poison;
            this.output = output;
            this.hot = mids > 0 && random.nextBoolean() ? random.nextInt(mids) : -1;
            this.empty = mids > 0 && random.nextBoolean() ? new boolean[mids] : null;
            if (empty != null) for (int p = 0; p < mids; p++) empty[p] = p != hot && random.nextInt(3) > 0;
        }
    }

    private void submit(int n) {
        int maps = random.nextInt(5, 120);
        int reduces = random.nextInt(1, 7);
        // A third of the jobs are graphs of four stages: (map, side) -> mid -> reduce.
        int mids = random.nextInt(3) == 0 ? random.nextInt(1, 9) : 0;
        String poison = null;
        if (random.nextInt(4) == 0) {
            // (A poisoned task of a re-planned stage may be planned away: then the job may succeed.)
            int stage = random.nextInt(mids > 0 ? 3 : 2);
            poison = stage == 0
                    ? String.format("map-%05d", random.nextInt(maps))
                    : stage == 1
                            ? String.format("reduce-%05d", random.nextInt(reduces))
                            : String.format("mid-%05d", random.nextInt(mids));
        }
        String input = "mem:///in/job" + n;
        String output = "mem:///out/job" + n;
        try (OutputStream out = store.create(input)) {
            out.write(new byte[maps * BLOCK]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        JobSpec spec = JobSpec.builder("sim-" + n)
                .input(input)
                .output(output)
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(dev.cairn.batch.Reducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .reducers(reduces)
                .build();
        String id;
        try {
            id = mids == 0
                    ? master.submit(spec, JAR, "sim.jar", "sim").getJobId()
                    : master.submit(
                                    new JobGraph(
                                            "sim-" + n,
                                            List.of(
                                                    StageSpec.reading("map", List.of(input), mids, PROGRAM, null),
                                                    StageSpec.reading("side", List.of(input), mids, PROGRAM, null),
                                                    StageSpec.after(
                                                                    "mid",
                                                                    List.of("map", "side"),
                                                                    mids,
                                                                    reduces,
                                                                    PROGRAM,
                                                                    null)
                                                            .withAdaptive(new StageSpec.Adaptive(
                                                                    random.nextBoolean(),
                                                                    random.nextBoolean()
                                                                            ? List.of("map")
                                                                            : List.of("map", "side"))),
                                                    StageSpec.after("reduce", List.of("mid"), reduces, 0, PROGRAM, null)
                                                            .withAdaptive(new StageSpec.Adaptive(
                                                                    random.nextBoolean(), List.of()))),
                                            output,
                                            0,
                                            0,
                                            Map.of()),
                                    JAR,
                                    "sim.jar",
                                    "sim")
                            .getJobId();
        } catch (Exception e) {
            throw new AssertionError("submit failed", e);
        }
        SimJob job = new SimJob(id, maps, mids, reduces, poison, store.qualify(output));
        jobs.put(id, job);
        if (random.nextInt(6) == 0) after(random.nextInt(1_000, 40_000), "cancel " + id, () -> cancel(job));
    }

    /** A user cancels the job; one that has ended or is committing its output goes on as it was. */
    private void cancel(SimJob job) {
        job.cancelRequested = true;
        onLoop(() -> master.cancel(job.id));
    }

    private static final byte[] JAR = jar("dev/cairn/batch/Mapper.class");
    /** The stage program of three-stage jobs: simulated workers run nothing, so any of Cairn's names does. */
    private static final String PROGRAM = "dev.cairn.sim.Program";

    /** Whether a task writes partitions for a later stage (a map or side task, or a middle stage's). */
    private static boolean writesPartitions(String task) {
        return readsFile(task) || task.startsWith("mid-");
    }

    private static boolean readsFile(String task) {
        return task.startsWith("map-") || task.startsWith("side-");
    }

    private static byte[] jar(String entry) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.closeEntry();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    // ---- the ledger ----------------------------------------------------------------------

    /** One launch of an attempt, as the simulation saw it. */
    private static final class Launch {
        final String job;
        final String task;
        final int attempt;
        final SimWorker worker;
        final int incarnation;
        /** The master may still count this attempt as running: no outcome delivered, worker not lost, job not ended. */
        boolean open = true;

        boolean granted;
        /** Maps: the worker's trouble count when the success was delivered. */
        int troubleAtSuccess;
        /** File tasks: the input range the attempt reads, cut short by the splits it accepts. */
        long start;

        long end;
        /** Tasks reading parents: what the master gave them. */
        List<dev.cairn.batch.internal.proto.ParentOutputs> reads = List.of();
        /** File tasks: the offset read by {@link #anchorNanos}; it runs on evenly to {@link #end} at {@link #finishNanos}. */
        long anchor;

        long anchorNanos;
        long finishNanos;
        /** Bumped when an accepted split moves the finish: an earlier finish event is stale. */
        int generation;
        /** The end of the last split accepted; 0 if none. */
        long splitEnd;

        long position(long now) {
            if (now >= finishNanos) return end;
            return anchor + (long) ((end - anchor) * ((now - anchorNanos) / (double) (finishNanos - anchorNanos)));
        }

        Launch(String job, String task, int attempt, SimWorker worker) {
            this.job = job;
            this.task = task;
            this.attempt = attempt;
            this.worker = worker;
            this.incarnation = worker.incarnation;
        }

        String id() {
            return job + "/" + task + "_" + attempt;
        }

        @Override
        public String toString() {
            return id() + " on " + worker.id + "#" + incarnation;
        }
    }

    /** Everything launched for one task. */
    private static final class TaskLedger {
        final List<Launch> launches = new ArrayList<>();
        /** The last attempt whose success the master was told of. */
        Launch success;
        /** Attempts failed or lost, as the simulation counts them. */
        int failures;
    }

    private TaskLedger ledger(String job, String task) {
        return tasks.computeIfAbsent(job + "/" + task, k -> new TaskLedger());
    }

    private void close(Launch l, boolean countsAsFailure) {
        if (!l.open) return;
        l.open = false;
        if (countsAsFailure) ledger(l.job, l.task).failures++;
    }

    // ---- workers -------------------------------------------------------------------------

    private enum Health {
        DOWN,
        UP,
        FROZEN
    }

    private final class SimWorker {
        final String id;
        final String endpoint;
        final int slots;
        final int slowness;
        Health health = Health.DOWN;
        long frozenUntil;
        int incarnation;
        /** Crashes, freezes, restarts, being declared dead, fetch failures reported against it. */
        int trouble;

        WorkerRecord record;
        /** The incarnation the master knows, by {@link #record}. */
        int registered;

        boolean declaredDead;
        final Map<String, SimAttempt> running = new LinkedHashMap<>();
        final List<TaskUpdate> finished = new ArrayList<>();
        final Set<String> outputs = new LinkedHashSet<>();
        final List<Launch> launches = new ArrayList<>();

        SimWorker(String id, int slots, int slowness) {
            this.id = id;
            this.endpoint = id + ":7070";
            this.slots = slots;
            this.slowness = slowness;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private record SimAttempt(TaskAssignment assignment, Launch launch) {
        String key() {
            return launch.id();
        }
    }

    private void start(SimWorker w) {
        w.incarnation++;
        w.health = Health.UP;
        register(w);
        int incarnation = w.incarnation;
        after(random.nextInt(0, (int) HEARTBEAT.toMillis()), "heartbeat " + w.id, () -> heartbeat(w, incarnation));
    }

    private void register(SimWorker w) {
        WorkerRecord before = onLoop(() -> master.workerRecord(w.id));
        boolean replaces = before != null && before.alive;
        onLoop(() -> master.register(RegisterWorkerRequest.newBuilder()
                .setWorkerId(w.id)
                .setEndpoint(w.endpoint)
                .setSlots(w.slots)
                .build()));
        // Registering again while the master thought it alive: the master has dropped its previous incarnation.
        if (replaces) loseAll(w, w.registered);
        w.record = onLoop(() -> master.workerRecord(w.id));
        w.registered = w.incarnation;
        w.declaredDead = false;
    }

    /**
     * The master has just dropped incarnation {@code lost} of {@code w} (declared it dead, or saw it
     * register again): it counts every attempt it placed there as failed, and must already have
     * sent every map output made there back to PENDING where reducers still need it.
     */
    private void loseAll(SimWorker w, int lost) {
        w.trouble++;
        for (Launch l : w.launches) close(l, jobs.get(l.job).ended == null);
        w.launches.clear();
        for (SimJob j : jobs.values()) {
            if (j.ended != null) continue;
            MasterJob mj = onLoop(() -> master.jobRecord(j.id));
            if (mj.state.isTerminal() || mj.stage("reduce").done()) continue;
            // Each stage writing partitions, with the stage that reads them. (A three-stage job's
            // maps are not checked here: the master re-makes what a stage needs when it drops the
            // worker, and this check may come later, after a mid task failed and made the maps'
            // outputs needed again; those are re-made when the mid task reports it cannot fetch
            // them, which the checks of every launch cover.)
            List<String[]> pairs = j.mids == 0
                    ? List.<String[]>of(new String[] {"map", "reduce"})
                    : List.<String[]>of(new String[] {"mid", "reduce"});
            for (String[] pair : pairs) {
                if (mj.stage(pair[1]).done()) continue;
                for (MasterTask t : mj.stage(pair[0]).tasks) {
                    if (t.status() != MasterTask.Status.SUCCEEDED) continue;
                    Launch made = ledger(j.id, t.id).launches.get(t.succeeded().number() - 1);
                    if (made.worker == w && made.incarnation <= lost) {
                        fail(j.id + " still counts " + t.id + " as done with its output " + made + " on lost " + w.id
                                + "#" + lost + " while " + pair[1] + " tasks need it");
                    }
                }
            }
        }
    }

    private void heartbeat(SimWorker w, int incarnation) {
        if (w.incarnation != incarnation || w.health == Health.DOWN) return;
        if (w.health == Health.FROZEN) {
            at(
                    w.frozenUntil + random.nextInt(0, 500) * MS,
                    "heartbeat " + w.id + " (thawed)",
                    () -> heartbeat(w, incarnation));
            return;
        }
        HeartbeatRequest.Builder req =
                HeartbeatRequest.newBuilder().setWorkerId(w.id).setFreeSlots(w.slots - w.running.size());
        Set<String> active = new LinkedHashSet<>();
        for (TaskUpdate u : w.finished) {
            req.addUpdates(u);
            active.add(u.getJobId());
        }
        for (SimAttempt a : w.running.values()) {
            TaskUpdate.Builder u = TaskUpdate.newBuilder()
                    .setJobId(a.launch.job)
                    .setTaskId(a.launch.task)
                    .setAttempt(a.launch.attempt)
                    .setState(TaskUpdate.State.RUNNING)
                    .setProgress(0.5);
            if (readsFile(a.launch.task))
                u.setPosition(a.launch.position(clock.nanos())).setSplitEnd(a.launch.splitEnd);
            req.addUpdates(u);
            active.add(a.launch.job);
        }
        req.addAllActiveJobs(active);
        HeartbeatResponse resp = onLoop(() -> master.heartbeat(req.build()));
        if (resp.getReregister()) {
            // Declared dead while silent: everything it ran is forgotten, and it starts over.
            w.running.clear();
            w.finished.clear();
            w.outputs.clear();
            loseAll(w, w.registered);
            w.incarnation++;
            register(w);
        } else {
            for (TaskUpdate u : w.finished) delivered(w, u);
            w.finished.clear();
            for (var k : resp.getKillList()) {
                SimAttempt a = w.running.remove(k.getJobId() + "/" + k.getTaskId() + "_" + k.getAttempt());
                if (a != null) close(a.launch, false);
            }
            for (String ended : resp.getEndedJobsList()) {
                w.running.values().removeIf(a -> a.launch.job.equals(ended));
            }
            for (TaskAssignment a : resp.getLaunchList()) launched(w, a);
            for (var s : resp.getSplitList()) {
                var ref = s.getAttempt();
                SimAttempt a = w.running.get(ref.getJobId() + "/" + ref.getTaskId() + "_" + ref.getAttempt());
                if (a != null) split(w, a, s.getKeep());
            }
        }
        int next = w.incarnation;
        after(HEARTBEAT.toMillis() + random.nextInt(-100, 100), "heartbeat " + w.id, () -> heartbeat(w, next));
    }

    /** The master has been told how {@code u} ended. */
    private void delivered(SimWorker w, TaskUpdate u) {
        TaskLedger t = ledger(u.getJobId(), u.getTaskId());
        Launch l = t.launches.get(u.getAttempt() - 1);
        if (!l.open) return; // the master had given up on it already
        if (u.getState() == TaskUpdate.State.SUCCEEDED) {
            t.success = l;
            l.troubleAtSuccess = w.trouble;
            close(l, false);
            // A speculative pair: the other attempt no longer counts (its worker is told to kill it).
            for (Launch other : t.launches) close(other, false);
        } else if (!u.getFetchFailedAttempt().isEmpty()) {
            close(l, false);
            jobs.get(u.getJobId()).fetchFailures++;
            stats.fetchFailures++;
            String map = u.getFetchFailedAttempt();
            unfetchable.add(u.getJobId() + "/" + map);
            Launch m = ledger(u.getJobId(), map.substring(0, map.lastIndexOf('_')))
                    .launches
                    .get(Integer.parseInt(map.substring(map.lastIndexOf('_') + 1)) - 1);
            m.worker.trouble++;
        } else {
            close(l, true);
        }
        w.launches.remove(l);
    }

    private void launched(SimWorker w, TaskAssignment a) {
        SimJob job = jobs.get(a.getJobId());
        TaskLedger t = ledger(a.getJobId(), a.getTaskId());
        Launch l = new Launch(a.getJobId(), a.getTaskId(), a.getAttempt(), w);
        require(
                a.getAttempt() == t.launches.size() + 1,
                "launch of " + l + " skips or repeats an attempt number (" + t.launches.size() + " launched before)");
        List<Launch> open = t.launches.stream().filter(e -> e.open).toList();
        require(open.size() <= 1, "launched " + l + " while " + open + " are still running as far as the master knows");
        if (open.size() == 1) {
            Launch copied = open.get(0);
            require(
                    copied.worker != w,
                    "launched " + l + " as a speculative copy of " + copied + " on the same worker");
            stats.speculativeLaunches++;
        }
        require(job.ended == null, "launched " + l + " for a job that has ended");
        if (writesPartitions(a.getTaskId()) && t.success != null) {
            Launch s = t.success;
            stats.mapReruns++;
            require(
                    s.worker.trouble > s.troubleAtSuccess,
                    "re-ran " + a.getTaskId() + " as " + l + " though its output " + s + " was never lost (worker "
                            + s.worker.id + " had no trouble since)");
        }
        if (readsFile(a.getTaskId())) {
            l.start = a.getSplitStart();
            l.end = a.getSplitStart() + a.getSplitLength();
            l.anchor = l.start;
        } else {
            MasterJob mj = onLoop(() -> master.jobRecord(a.getJobId()));
            SimCoverage.checkGiven(mj, a, l.toString());
            l.reads = a.getParentOutputsList();
            Set<String> seen = new LinkedHashSet<>();
            for (MapOutputLocation m : a.getMapOutputsList()) {
                require(seen.add(m.getTaskId()), l + " was given two outputs of " + m.getTaskId());
                require(
                        !unfetchable.contains(a.getJobId() + "/" + m.getTaskId() + "_" + m.getAttempt()),
                        l + " was given output " + m.getTaskId() + "_" + m.getAttempt()
                                + ", which a reducer already reported it could not fetch");
                Launch s = ledger(a.getJobId(), m.getTaskId()).success;
                require(
                        s != null && s.attempt == m.getAttempt() && s.worker.endpoint.equals(m.getEndpoint()),
                        l + " was given output " + m.getTaskId() + "_" + m.getAttempt() + " on " + m.getEndpoint()
                                + " but the last successful attempt is " + s);
            }
        }
        t.launches.add(l);
        w.launches.add(l);
        stats.launches++;
        SimAttempt sa = new SimAttempt(a, l);
        w.running.put(sa.key(), sa);
        require(w.running.size() <= w.slots, w.id + " runs " + w.running.size() + " attempts on " + w.slots + " slots");
        int incarnation = w.incarnation;
        // Reduces run longer than maps, so a frozen worker's reduce often thaws while its replacement runs.
        long millis = (long) (writesPartitions(a.getTaskId()) ? random.nextInt(200, 3000) : random.nextInt(1000, 8000))
                * w.slowness;
        l.anchorNanos = clock.nanos();
        l.finishNanos = clock.nanos() + millis * MS;
        after(millis, "finish " + l, () -> finish(w, incarnation, sa, 0));
    }

    /**
     * The master asks attempt {@code a} to keep the share {@code keep} of what it has left: it
     * does so from where it is (unless that leaves nothing to hand over, or it empty, or, one time
     * in five, it ignores the request), and then finishes sooner, as its range shrank.
     */
    private void split(SimWorker w, SimAttempt a, double keep) {
        Launch l = a.launch;
        require(readsFile(l.task), "the master asked " + l + ", which reads no file, to split");
        require(keep >= 0 && keep < 1, "the master asked " + l + " to keep " + keep + " of its rest");
        long now = clock.nanos();
        long position = l.position(now);
        long at = position + (long) Math.ceil(keep * (l.end - position));
        if (at <= l.start || at >= l.end || random.nextInt(5) == 0) return;
        long left = l.finishNanos - now;
        long newFinish = now + (long) (left * ((at - position) / (double) Math.max(1, l.end - position)));
        l.anchor = position;
        l.anchorNanos = now;
        l.end = at;
        l.splitEnd = at;
        l.finishNanos = Math.max(now + MS, newFinish);
        stats.splitsAccepted++;
        int generation = ++l.generation;
        int incarnation = w.incarnation;
        at(l.finishNanos, "finish " + l + " (split)", () -> {
            if (l.generation == generation) finish(w, incarnation, a);
        });
    }

    private void finish(SimWorker w, int incarnation, SimAttempt a, int generation) {
        if (a.launch.generation == generation) finish(w, incarnation, a);
    }

    private void finish(SimWorker w, int incarnation, SimAttempt a) {
        if (w.incarnation != incarnation || w.health == Health.DOWN || !w.running.containsKey(a.key())) return;
        if (w.health == Health.FROZEN) {
            // Resumes when the worker thaws, racing its first heartbeat.
            at(
                    w.frozenUntil + random.nextInt(0, 500) * MS,
                    "finish " + a.launch + " (thawed)",
                    () -> finish(w, incarnation, a));
            return;
        }
        Launch l = a.launch;
        SimJob job = jobs.get(l.job);
        TaskUpdate.Builder u = TaskUpdate.newBuilder()
                .setJobId(l.job)
                .setTaskId(l.task)
                .setAttempt(l.attempt)
                .setProgress(1);
        boolean poisoned = l.task.equals(job.poison);
        // Injected failures stay within the attempt limit, with room for a lost attempt or two.
        boolean injected = !poisoned && random.nextInt(20) == 0 && ledger(l.job, l.task).failures == 0;
        if (injected) stats.injectedFailures++;
        if (readsFile(l.task)) {
            u.setPosition(l.end).setSplitEnd(l.splitEnd);
            if (poisoned || injected) {
                u.setState(TaskUpdate.State.FAILED).setError(poisoned ? "poison" : "injected failure");
            } else {
                u.setState(TaskUpdate.State.SUCCEEDED);
                u.addAllPartitionBytes(partitionBytes(a.assignment.getOutputPartitions(), job.hot, job.empty));
                w.outputs.add(l.id());
            }
        } else {
            String unreachable = null;
            for (MapOutputLocation m : a.assignment.getMapOutputsList()) {
                SimWorker holder =
                        workers.get(m.getEndpoint().substring(0, m.getEndpoint().indexOf(':')));
                if (holder.health != Health.UP
                        || !holder.outputs.contains(l.job + "/" + m.getTaskId() + "_" + m.getAttempt())) {
                    unreachable = m.getTaskId() + "_" + m.getAttempt();
                    break;
                }
            }
            if (unreachable != null) {
                u.setState(TaskUpdate.State.FAILED)
                        .setError("cannot fetch " + unreachable)
                        .setFetchFailedAttempt(unreachable);
            } else if (poisoned || injected) {
                u.setState(TaskUpdate.State.FAILED).setError(poisoned ? "poison" : "injected failure");
            } else if (l.task.startsWith("mid-")) {
                // A middle stage's task read its parents' outputs and writes partitions of its own.
                u.setState(TaskUpdate.State.SUCCEEDED);
                u.addAllPartitionBytes(partitionBytes(a.assignment.getOutputPartitions(), -1, null));
                w.outputs.add(l.id());
            } else {
                String denied = commit(w, a);
                if (denied == null) {
                    // Committed; the attempt ends (and reports) a while later, long enough for a fault to come between.
                    TaskUpdate done = u.setState(TaskUpdate.State.SUCCEEDED).build();
                    after(
                            (long) random.nextInt(0, 3000) * w.slowness,
                            "report " + l,
                            () -> end(w, incarnation, a, done));
                    return;
                }
                u.setState(TaskUpdate.State.FAILED).setError(denied);
            }
        }
        end(w, incarnation, a, u.build());
    }

    /** Bytes of each of {@code n} partitions: small, but for partition {@code hot} (a hot key's), if any. */
    private List<Long> partitionBytes(int n, int hot, boolean[] empty) {
        List<Long> out = new ArrayList<>();
        for (int p = 0; p < n; p++)
            out.add(
                    p == hot
                            ? random.nextLong(2_000, 50_000)
                            : empty != null && empty[p] ? 0 : random.nextLong(0, 1_000));
        return out;
    }

    private void end(SimWorker w, int incarnation, SimAttempt a, TaskUpdate outcome) {
        if (w.incarnation != incarnation || w.health == Health.DOWN || !w.running.containsKey(a.key())) return;
        if (w.health == Health.FROZEN) {
            at(
                    w.frozenUntil + random.nextInt(0, 500) * MS,
                    "report " + a.launch + " (thawed)",
                    () -> end(w, incarnation, a, outcome));
            return;
        }
        w.running.remove(a.key());
        w.finished.add(outcome);
    }

    /** Asks the master to commit, and if allowed moves the part file into place as a reducer does; null when committed. */
    private String commit(SimWorker w, SimAttempt a) {
        Launch l = a.launch;
        AttemptRef ref = AttemptRef.of(l.job, l.task, l.attempt);
        CommitTaskResponse r = onLoop(() -> master.commit(ref));
        if (!r.getAllowed()) {
            stats.refusedCommits++;
            return "commit refused: " + r.getReason();
        }
        TaskLedger t = ledger(l.job, l.task);
        require(l.open, "commit granted to " + l + ", which the master had already given up on");
        for (Launch other : t.launches) {
            require(
                    other == l || !other.granted || !other.open,
                    "commit granted to " + l + " while " + other + " holds a grant and is still running");
        }
        if (t.launches.stream().anyMatch(o -> o.granted)) stats.regrantedCommits++;
        l.granted = true;
        String staging = a.assignment.getStagingDir();
        String part = staging + "/" + String.format("part-r-%05d", a.assignment.getTaskIndex());
        try {
            if (!store.exists(staging + "/" + JobOutput.ATTEMPTS)) return "the output staging directory is gone";
            store.delete(part);
            try (OutputStream out = store.create(part)) {
                out.write(l.id().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    // ---- faults --------------------------------------------------------------------------

    private void fault() {
        List<SimWorker> up =
                workers.values().stream().filter(w -> w.health == Health.UP).toList();
        if (up.isEmpty()) return;
        // Half the faults hit a worker running a reduce, if any: those decide commits.
        List<SimWorker> reducing = up.stream()
                .filter(w -> w.running.keySet().stream().anyMatch(k -> k.contains("/reduce-")))
                .toList();
        if (!reducing.isEmpty() && random.nextBoolean()) up = reducing;
        SimWorker w = up.get(random.nextInt(up.size()));
        w.trouble++;
        if (random.nextInt(5) < 2) {
            // Crash: its attempts and map outputs are gone; it starts again, under the same id, a while later.
            w.health = Health.DOWN;
            stats.crashes++;
            w.running.clear();
            w.finished.clear();
            w.outputs.clear();
            after(random.nextInt(2_000, 40_000), "restart " + w.id, () -> start(w));
        } else {
            // Freeze (a long GC pause, a partition): shorter or longer than the worker timeout.
            w.health = Health.FROZEN;
            stats.freezes++;
            w.frozenUntil = clock.nanos() + random.nextInt(1_000, 25_000) * MS;
            at(w.frozenUntil, "thaw " + w.id, () -> {
                if (w.health == Health.FROZEN) w.health = Health.UP;
            });
        }
    }

    // ---- invariants ----------------------------------------------------------------------

    /** After every event. */
    private void check() {
        for (SimWorker w : workers.values()) {
            // (Messages are built only on failure: this runs 100 times an event.)
            if (w.running.size() > w.slots)
                fail(w.id + " runs " + w.running.size() + " attempts on " + w.slots + " slots");
            if (w.record == null) continue;
            WorkerRecord r = w.record;
            if (r.running.size() > r.slots)
                fail("the master placed " + r.running.size() + " attempts on " + r.id + " with " + r.slots + " slots");
            if (!r.alive && !w.declaredDead) {
                // Declared dead: the master has counted its attempts as failed.
                w.declaredDead = true;
                stats.declaredDead++;
                loseAll(w, w.registered);
            }
        }
        for (SimJob j : jobs.values()) {
            if (j.ended != null) continue;
            MasterJob mj = onLoop(() -> master.jobRecord(j.id));
            require(mj != null, j.id + " vanished while running");
            if (mj.state.isTerminal()) ended(j, mj);
        }
    }

    private void ended(SimJob j, MasterJob mj) {
        j.ended = mj.state;
        for (Launch l : allLaunches(mj)) close(l, false);
        for (String d : mj.decisions) {
            if (d.contains(" coalesced ")) stats.coalescedStages++;
            if (d.contains(" split into ")) stats.skewSplits++;
            if (d.contains(" re-split ")) stats.resplitTasks++;
        }
        switch (mj.state) {
            case SUCCEEDED -> {
                stats.jobsSucceeded++;
                require(
                        j.poison == null || mj.tasks().noneMatch(t -> t.id.equals(j.poison)),
                        j.id + " succeeded though " + j.poison + " fails every attempt");
                for (MasterStage stage : mj.stages) {
                    if (stage.readsFiles())
                        SimCoverage.checkInputCovered(stage, (long) j.maps * BLOCK, id -> {
                            Launch s = ledger(j.id, id).success;
                            return new long[] {s.start, s.end};
                        });
                    else SimCoverage.checkPartitionsReadOnce(mj, stage, id -> ledger(j.id, id).success.reads);
                }
                for (MasterTask t : mj.stage("map").tasks)
                    require(
                            t.status() == MasterTask.Status.SUCCEEDED,
                            j.id + " succeeded with " + t.id + " " + t.status());
                for (MasterTask t : mj.stage("reduce").tasks) {
                    require(
                            t.status() == MasterTask.Status.SUCCEEDED,
                            j.id + " succeeded with " + t.id + " " + t.status());
                    Launch s = ledger(j.id, t.id).success;
                    require(
                            s != null && s.granted,
                            j.id + " succeeded but " + t.id + "'s successful attempt " + s
                                    + " was never allowed to commit");
                    String part = read(j.output + "/" + String.format("part-r-%05d", t.index));
                    require(
                            s.id().equals(part),
                            j.id + ": " + t.id + "'s output is from " + part + ", not from its successful attempt "
                                    + s.id());
                }
                require(
                        store.exists(j.output + "/" + JobOutput.SUCCESS),
                        j.id + " succeeded without " + JobOutput.SUCCESS);
            }
            case FAILED -> {
                stats.jobsFailed++;
                String error = mj.error;
                if (error.startsWith("task ")) {
                    String task = error.substring(5, error.indexOf(' ', 5));
                    int counted = ledger(j.id, task).failures;
                    if (task.equals(j.poison)) stats.jobsFailedByPoison++;
                    else stats.jobsFailedByLosses++;
                    require(
                            task.equals(j.poison) || counted >= MAX_ATTEMPTS,
                            j.id + " failed on " + task + " (" + error + ") but the simulation counted " + counted
                                    + " failed or lost attempts of it");
                } else if (error.startsWith("too many shuffle fetch failures")) {
                    stats.jobsFailedByFetches++;
                    long readers = mj.stages.stream()
                            .filter(s -> !s.parents.isEmpty())
                            .mapToLong(s -> s.tasks.size())
                            .sum();
                    require(
                            j.fetchFailures > 4 * MAX_ATTEMPTS * readers,
                            j.id + " failed (" + error + ") after only " + j.fetchFailures + " fetch failures");
                } else {
                    throw new AssertionError(j.id + " failed for an unexpected cause: " + error);
                }
                require(!store.exists(j.output), j.id + " failed but its output exists");
            }
            case CANCELLED -> {
                stats.jobsCancelled++;
                require(j.cancelRequested, j.id + " was cancelled, but nobody asked");
                require(!store.exists(j.output), j.id + " was cancelled but its output exists");
            }
            default -> throw new AssertionError(j.id + " ended " + mj.state);
        }
    }

    private List<Launch> allLaunches(MasterJob mj) {
        List<Launch> out = new ArrayList<>();
        mj.tasks().forEach(t -> out.addAll(ledger(mj.id, t.id).launches));
        return out;
    }

    /** Once every job has ended and the master's I/O has drained. */
    private void finalChecks() throws IOException {
        for (SimJob j : jobs.values()) {
            String staging = JobOutput.stagingDir(j.output, j.id);
            require(!store.exists(staging), j.id + " ended " + j.ended + " but left its staging directory " + staging);
            require(
                    store.exists(j.output) == (j.ended == JobState.SUCCEEDED),
                    j.id + " ended " + j.ended + "; output exists: " + store.exists(j.output));
        }
    }

    private String read(String file) {
        try (InputStream in = store.open(file, 0, Long.MAX_VALUE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(none: " + e + ")";
        }
    }

    private static void require(boolean ok, String violation) {
        if (!ok) fail(violation);
    }

    private static void fail(String violation) {
        throw new AssertionError(violation);
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> action) {
        try {
            return master.onLoop(action);
        } catch (Exception e) {
            throw new AssertionError("master call failed", e);
        }
    }
}
