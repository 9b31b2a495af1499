package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.JobSpec;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.StageStatusProto;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.proto.TaskUpdate;
import dev.cairn.batch.testing.TestingFileSystem;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's decisions, driven by hand: a manual clock decides when workers expire and when a
 * map has waited long enough for a slot where its input lies, and the test plays the workers'
 * side of the heartbeat conversation. Output I/O runs on the calling thread. No RPC, no sleeping.
 */
class JobMasterTest {
    private static final Duration LOCALITY_WAIT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    /** Blocks of 100 bytes; block i on worker w(i+1). */
    private final TestingFileSystem store = TestingFileSystem.create(100, i -> List.of("w" + (i + 1)));

    private JobMaster master;

    @BeforeEach
    void start() {
        master = new JobMaster(
                new MasterSettings(
                        dir.resolve("master"),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1),
                        100,
                        4,
                        10,
                        LOCALITY_WAIT,
                        FileSystemRegistry.local().with(store),
                        SpeculationPolicy.OFF,
                        ResplitPolicy.OFF,
                        PartitionPlanner.OFF),
                clock,
                Runnable::run);
    }

    @AfterEach
    void stop() {
        master.close();
    }

    @Test
    void lostWorkerTasksAndMapOutputsAreRunAgainElsewhere() throws Exception {
        String job = submit(300, 1).getJobId();
        register("w1", 2);
        register("w2", 2);
        List<TaskAssignment> onW1 = heartbeat("w1", 2).getLaunchList();
        List<TaskAssignment> onW2 = heartbeat("w2", 2).getLaunchList();
        assertThat(onW1).extracting(TaskAssignment::getTaskId).containsExactly("map-00000", "map-00001");
        assertThat(onW2).extracting(TaskAssignment::getTaskId).containsExactly("map-00002");

        heartbeat("w1", 1, done(onW1.get(0)));
        heartbeat("w2", 2, done(onW2.get(0)));
        clock.advance(6, TimeUnit.SECONDS);
        heartbeat("w2", 2);
        clock.advance(5, TimeUnit.SECONDS);
        master.onLoop(() -> {
            master.expireWorkers();
            return null;
        });

        assertThat(master.onLoop(master::workers))
                .extracting(w -> w.getWorkerId() + "=" + w.getState())
                .containsExactly("w1=DEAD", "w2=ALIVE");
        StageStatusProto maps = status(job).getStages(0);
        assertThat(maps.getPending())
                .as("the running map and the finished one whose output was on w1")
                .isEqualTo(2);
        assertThat(maps.getFailed()).isEqualTo(1);
        assertThat(maps.getRetried()).as("the lost output").isEqualTo(1);
        assertThat(heartbeat("w1", 2).getReregister()).isTrue();

        List<TaskAssignment> rerun = heartbeat("w2", 2).getLaunchList();
        assertThat(rerun)
                .extracting(TaskAssignment::getTaskId, TaskAssignment::getAttempt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("map-00000", 2),
                        org.assertj.core.groups.Tuple.tuple("map-00001", 2));
        assertThat(status(job).getStages(0).getRetried()).isEqualTo(2);
        List<TaskAssignment> reduce =
                heartbeat("w2", 2, done(rerun.get(0)), done(rerun.get(1))).getLaunchList();
        assertThat(reduce).extracting(TaskAssignment::getTaskId).containsExactly("reduce-00000");
        assertThat(reduce.get(0).getMapOutputsList())
                .allSatisfy(m -> assertThat(m.getEndpoint()).isEqualTo("w2:1"));
    }

    @Test
    void aStragglerGetsASpeculativeCopyAndTheFirstToFinishWins() throws Exception {
        master.close();
        master = new JobMaster(
                new MasterSettings(
                        dir.resolve("master"),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1),
                        100,
                        4,
                        10,
                        LOCALITY_WAIT,
                        FileSystemRegistry.local().with(store),
                        new SpeculationPolicy(true, 1.5, Duration.ofSeconds(1)),
                        ResplitPolicy.OFF,
                        PartitionPlanner.OFF),
                clock,
                Runnable::run);
        String job = submit(300, 1).getJobId();
        register("w1", 2);
        register("w2", 2);
        List<TaskAssignment> onW1 = heartbeat("w1", 2).getLaunchList();
        TaskAssignment slow = heartbeat("w2", 2).getLaunch(0);
        assertThat(slow.getTaskId()).isEqualTo("map-00002");

        clock.advance(1, TimeUnit.SECONDS);
        assertThat(heartbeat("w1", 2, done(onW1.get(0)), done(onW1.get(1))).getLaunchList())
                .as("1 s into a stage whose median is 1 s: no straggler yet")
                .isEmpty();
        clock.advance(2, TimeUnit.SECONDS);
        heartbeat("w2", 1, running(slow).toBuilder().setProgress(0.2).build());
        List<TaskAssignment> copy = heartbeat("w1", 2).getLaunchList();

        assertThat(copy)
                .as("3 s at 20% against a median of 1 s: a copy on the other worker")
                .extracting(TaskAssignment::getTaskId, TaskAssignment::getAttempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("map-00002", 2));
        assertThat(status(job).getDecisionsList())
                .singleElement()
                .asString()
                .contains("speculated map-00002: running 3.0 s at 20% (stage median 1.0 s); attempt 2 on w1"
                        + " beside attempt 1 on w2");

        List<TaskAssignment> reduce = heartbeat("w1", 1, done(copy.get(0))).getLaunchList();
        assertThat(reduce).extracting(TaskAssignment::getTaskId).containsExactly("reduce-00000");
        assertThat(reduce.get(0).getMapOutputsList())
                .filteredOn(m -> m.getTaskId().equals("map-00002"))
                .singleElement()
                .satisfies(m -> assertThat(m.getAttempt()).isEqualTo(2));
        assertThat(status(job).getDecisionsList().get(1))
                .contains("map-00002: attempt 2 (speculative) on w1 finished first; attempt 1 on w2 stopped");
        assertThat(heartbeat("w2", 2, running(slow)).getKillList())
                .as("the slow attempt is told to stop")
                .extracting(k -> k.getTaskId() + "_" + k.getAttempt())
                .containsExactly("map-00002_1");
        assertThat(heartbeat("w2", 2, done(slow)).getLaunchList())
                .as("its late success changes nothing")
                .isEmpty();
        assertThat(status(job).getStages(0).getDone()).isEqualTo(3);
    }

    @Test
    void jobFailsAfterTheAttemptLimitNamingTaskWorkerAndCause() throws Exception {
        String job = submit(100, 1).getJobId();
        register("w1", 1);
        register("w2", 1);
        TaskAssignment first = heartbeat("w1", 1).getLaunch(0);
        String error = "java.lang.IllegalStateException: bad record\n\tat x.M.map";
        assertThat(heartbeat("w1", 1, failed(first, error)).getLaunchList())
                .as("not again on w1 while w2 has not tried")
                .isEmpty();
        TaskAssignment second = heartbeat("w2", 1).getLaunch(0);
        assertThat(second.getAttempt()).isEqualTo(2);
        // Failed on every worker: the next attempt may go anywhere, here straight back to w2.
        TaskAssignment third = heartbeat("w2", 1, failed(second, error)).getLaunch(0);
        assertThat(third.getAttempt()).isEqualTo(3);
        TaskAssignment fourth = heartbeat("w2", 1, failed(third, error)).getLaunch(0);
        assertThat(heartbeat("w2", 1, failed(fourth, error)).getLaunchList()).isEmpty();
        JobStatusProto s = status(job);
        assertThat(s.getState()).isEqualTo("FAILED");
        assertThat(s.getError())
                .isEqualTo(
                        "task map-00000 failed 4 times; last attempt 4 on worker w2 (w2:1): java.lang.IllegalStateException: bad record");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".cairn-job-"));
        assertThat(heartbeat("w1", 1).getLaunchList()).isEmpty();
    }

    @Test
    void reducerThatCannotFetchAMapOutputMakesTheMapRunAgain() throws Exception {
        String job = submit(100, 1).getJobId();
        register("w1", 2);
        TaskAssignment map = heartbeat("w1", 1).getLaunch(0);
        TaskAssignment reduce = heartbeat("w1", 1, done(map)).getLaunch(0);
        assertThat(reduce.getTaskId()).isEqualTo("reduce-00000");

        TaskUpdate fetchFailed = failed(reduce, "cannot fetch").toBuilder()
                .setFetchFailedAttempt("map-00000_1")
                .build();
        List<TaskAssignment> next = heartbeat("w1", 2, fetchFailed).getLaunchList();

        assertThat(next)
                .extracting(TaskAssignment::getTaskId, TaskAssignment::getAttempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("map-00000", 2));
        JobStatusProto s = status(job);
        assertThat(s.getStages(1).getFailed())
                .as("fetch failures do not count against the reducer")
                .isZero();
        assertThat(s.getStages(1).getPending()).isEqualTo(1);
    }

    @Test
    void aReducerThatCannotFetchFromAWorkerMakesEveryMapOutputThereRunAgain() throws Exception {
        String job = submit(300, 1).getJobId();
        register("w1", 2);
        register("w2", 2);
        List<TaskAssignment> onW1 = heartbeat("w1", 2).getLaunchList();
        TaskAssignment onW2 = heartbeat("w2", 2).getLaunch(0);
        assertThat(heartbeat("w1", 2, done(onW1.get(0)), done(onW1.get(1))).getLaunchList())
                .isEmpty();
        TaskAssignment reduce = heartbeat("w2", 2, done(onW2)).getLaunch(0);
        assertThat(reduce.getTaskId()).isEqualTo("reduce-00000");

        TaskUpdate fetchFailed = failed(reduce, "cannot reach w1:1").toBuilder()
                .setFetchFailedAttempt("map-00000_1")
                .build();
        List<TaskAssignment> next = heartbeat("w2", 2, fetchFailed).getLaunchList();

        assertThat(next)
                .as("both outputs on w1 made again, not only the one the reducer named")
                .extracting(TaskAssignment::getTaskId, TaskAssignment::getAttempt)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("map-00000", 2),
                        org.assertj.core.groups.Tuple.tuple("map-00001", 2));
        StageStatusProto maps = status(job).getStages(0);
        assertThat(maps.getRetried()).isEqualTo(2);
        assertThat(maps.getRunning()).isEqualTo(2);
    }

    @Test
    void staleUpdatesFromAnEarlierAttemptAreIgnoredAndKilled() throws Exception {
        submit(100, 1);
        register("w1", 1);
        TaskAssignment map = heartbeat("w1", 1).getLaunch(0);
        register("w1", 1); // restarted: its earlier attempts are lost
        HeartbeatResponse r = heartbeat("w1", 0, running(map));
        assertThat(r.getKillList())
                .extracting(k -> k.getTaskId() + "_" + k.getAttempt())
                .containsExactly("map-00000_1");
    }

    @Test
    void mapsGoWhereTheirSplitLiesAndElsewhereOnlyAfterTheLocalityWait() throws Exception {
        String job = submitOnStore(200, "mem:///out").getJobId();
        register("w1", 1);
        register("w2", 1);
        register("w3", 1);
        assertThat(heartbeat("w3", 1).getLaunchList())
                .as("both splits wait for the workers holding them")
                .isEmpty();
        TaskAssignment onW2 = heartbeat("w2", 1).getLaunch(0);
        assertThat(onW2.getTaskId()).as("block 1 lies on w2").isEqualTo("map-00001");

        clock.advance(LOCALITY_WAIT.toMillis() - 1, TimeUnit.MILLISECONDS);
        assertThat(heartbeat("w3", 1).getLaunchList()).isEmpty();
        clock.advance(1, TimeUnit.MILLISECONDS);
        TaskAssignment onW3 = heartbeat("w3", 1).getLaunch(0);
        assertThat(onW3.getTaskId()).as("waited long enough for w1").isEqualTo("map-00000");

        heartbeat("w2", 1, done(onW2).toBuilder().setInputLocalBytes(100).build());
        heartbeat("w3", 1, done(onW3).toBuilder().setInputRemoteBytes(101).build());
        JobStatusProto s = status(job);
        assertThat(s.getDataLocalMaps()).isEqualTo(1);
        assertThat(s.getInputLocalBytes()).isEqualTo(100);
        assertThat(s.getInputRemoteBytes()).isEqualTo(101);
    }

    @Test
    void aMapWhoseHoldersAreGoneOrFailedItRunsAnywhereAtOnce() throws Exception {
        submitOnStore(200, "mem:///out");
        register("w2", 1);
        register("w3", 2);
        assertThat(heartbeat("w3", 1).getLaunchList())
                .extracting(TaskAssignment::getTaskId)
                .as("w1, holding block 0, is not a worker")
                .containsExactly("map-00000");
        TaskAssignment local = heartbeat("w2", 1).getLaunch(0);
        assertThat(local.getTaskId()).isEqualTo("map-00001");
        heartbeat("w2", 0, failed(local, "disk on fire"));
        assertThat(heartbeat("w3", 1).getLaunchList())
                .extracting(TaskAssignment::getTaskId, TaskAssignment::getAttempt)
                .as("failed on its only holder: no point waiting for it")
                .containsExactly(org.assertj.core.groups.Tuple.tuple("map-00001", 2));
    }

    @Test
    void outputOnAStoreAppearsOnlyWhenTheJobCommitsAndAFailedJobLeavesNone() throws Exception {
        String job = submitOnStore(100, "mem:///results/wc").getJobId();
        register("w1", 1);
        TaskAssignment map = heartbeat("w1", 1).getLaunch(0);
        TaskAssignment reduce = heartbeat("w1", 1, done(map)).getLaunch(0);
        assertThat(reduce.getStagingDir()).isEqualTo("mem:///results/.wc.cairn-" + job);
        try (OutputStream part = store.create(reduce.getStagingDir() + "/part-r-00000")) {
            part.write("a\t1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(store.exists("mem:///results/wc")).isFalse();
        heartbeat("w1", 1, done(reduce));
        assertThat(status(job).getState()).isEqualTo("SUCCEEDED");
        assertThat(store.listFiles("mem:///results"))
                .extracting(FileEntry::path)
                .containsExactly("mem:///results/wc/_SUCCESS", "mem:///results/wc/part-r-00000");

        String cancelled = submitOnStore(100, "mem:///results/other").getJobId();
        assertThat(store.exists("mem:///results/.other.cairn-" + cancelled)).isTrue();
        master.onLoop(() -> master.cancel(cancelled));
        assertThat(store.listFiles("mem:///results"))
                .extracting(FileEntry::path)
                .containsExactly("mem:///results/wc/_SUCCESS", "mem:///results/wc/part-r-00000");
    }

    @Test
    void aRefusedSubmitTakesNoJobId() throws Exception {
        assertThat(submit(300, 1).getJobId()).isEqualTo("job-0001");
        Files.createDirectories(dir.resolve("taken"));
        Path input = dir.resolve("input-300.txt");
        assertThatThrownBy(
                        () -> submit(spec(input.toString(), dir.resolve("taken").toString(), 1)))
                .hasMessageContaining("output path already exists");
        assertThatThrownBy(() -> submit(spec(
                        dir.resolve("missing.txt").toString(),
                        dir.resolve("out2").toString(),
                        1)))
                .hasMessageContaining("input path does not exist");
        assertThat(submit(spec(input.toString(), dir.resolve("out3").toString(), 1))
                        .getJobId())
                .isEqualTo("job-0002");
    }

    @Test
    void afterCancelNothingIsShownRunningOrPending() throws Exception {
        String job = submit(300, 1).getJobId();
        register("w1", 2);
        List<TaskAssignment> launched = heartbeat("w1", 2).getLaunchList();
        assertThat(launched).hasSize(2);
        heartbeat("w1", 1, done(launched.get(0)));

        JobStatusProto cancelled = master.onLoop(() -> master.cancel(job));

        assertThat(cancelled.getState()).isEqualTo("CANCELLED");
        StageStatusProto maps = cancelled.getStages(0);
        assertThat(maps.getRunning()).isZero();
        assertThat(maps.getPending()).isZero();
        assertThat(maps.getDone()).isEqualTo(1);
        assertThat(maps.getStopped())
                .as("the running map and the one never launched")
                .isEqualTo(2);
        assertThat(cancelled.getStages(1).getStopped()).isEqualTo(1);
        // The worker is told the job ended, and its running attempt's later report changes nothing.
        heartbeat("w1", 2, running(launched.get(1)));
        assertThat(status(job).getStages(0).getStopped()).isEqualTo(2);
    }

    @Test
    void countersSumTheSuccessfulAttemptsAndDropFailedOnes() throws Exception {
        String job = submit(200, 1).getJobId();
        register("w1", 2);
        List<TaskAssignment> maps = heartbeat("w1", 2).getLaunchList();
        assertThat(maps).hasSize(2);
        List<TaskAssignment> retry = heartbeat(
                        "w1", 1, withCounters(done(maps.get(0)), 5), withCounters(failed(maps.get(1), "boom"), 7))
                .getLaunchList();
        assertThat(retry).extracting(TaskAssignment::getTaskId).containsExactly("map-00001");
        assertThat(status(job).getCountersMap())
                .as("the failed attempt's count is dropped")
                .containsEntry("user.skipped", 5L);
        heartbeat("w1", 2, withCounters(running(retry.get(0)), 2));
        assertThat(status(job).getCountersMap())
                .as("a running attempt's count so far, the failed one's dropped")
                .containsEntry("user.skipped", 7L);
        heartbeat("w1", 2, withCounters(done(retry.get(0)), 3));
        assertThat(status(job).getCountersMap()).containsEntry("user.skipped", 8L);
    }

    @Test
    void eachInputGoesToItsOwnMapperAndTasksKnowTheirInput() throws Exception {
        Path a = Files.write(dir.resolve("a.txt"), new byte[50]);
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.write(b.resolve("part.txt"), new byte[50]);
        JobSpec spec = JobSpec.builder("two-inputs")
                .input(a.toString())
                .input(b.toString(), OtherMapper.class)
                .output(dir.resolve("out").toString())
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(dev.cairn.batch.Reducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .build();
        master.submit(
                spec,
                jar("dev/cairn/batch/Mapper.class", OtherMapper.class.getName().replace('.', '/') + ".class"),
                "test.jar",
                "alice");
        register("w1", 2);
        List<TaskAssignment> maps = heartbeat("w1", 2).getLaunchList();
        assertThat(maps)
                .extracting(t -> t.getInput() + " " + t.getMapperClass())
                .containsExactlyInAnyOrder(
                        a.toString() + " dev.cairn.batch.Mapper", b.toString() + " " + OtherMapper.class.getName());
        assertThat(maps)
                .extracting(TaskAssignment::getSplitPath)
                .contains(b.resolve("part.txt").toString());
    }

    /** A second mapper class for the per-input mapper test; never run. */
    public static final class OtherMapper implements dev.cairn.batch.Mapper<Long, String, String, Long> {
        @Override
        public void map(Long key, String value, dev.cairn.batch.Emitter<String, Long> out) {}
    }

    private static TaskUpdate withCounters(TaskUpdate u, long skipped) {
        return u.toBuilder().putCounters("user.skipped", skipped).build();
    }

    private JobStatusProto submitOnStore(int inputBytes, String output) throws Exception {
        String input = "mem:///in/" + inputBytes + ".txt";
        if (!store.exists(input)) {
            try (OutputStream out = store.create(input)) {
                out.write(new byte[inputBytes]);
            }
        }
        return submit(spec(input, output, 1));
    }

    private JobStatusProto submit(long inputBytes, int reducers) throws Exception {
        Path input = dir.resolve("input-" + inputBytes + ".txt");
        Files.write(input, new byte[(int) inputBytes]);
        return submit(spec(input.toString(), dir.resolve("out").toString(), reducers));
    }

    private static JobSpec spec(String input, String output, int reducers) {
        return JobSpec.builder("test")
                .input(input)
                .output(output)
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(dev.cairn.batch.Reducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .reducers(reducers)
                .build();
    }

    private JobStatusProto submit(JobSpec spec) throws Exception {
        return master.submit(spec, jar("dev/cairn/batch/Mapper.class"), "test.jar", "alice");
    }

    private static byte[] jar(String... entries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String e : entries) {
                zip.putNextEntry(new ZipEntry(e));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private void register(String id, int slots) throws Exception {
        master.onLoop(() -> master.register(RegisterWorkerRequest.newBuilder()
                .setWorkerId(id)
                .setEndpoint(id + ":1")
                .setSlots(slots)
                .build()));
    }

    private HeartbeatResponse heartbeat(String id, int freeSlots, TaskUpdate... updates) throws Exception {
        HeartbeatRequest.Builder req =
                HeartbeatRequest.newBuilder().setWorkerId(id).setFreeSlots(freeSlots);
        for (TaskUpdate u : updates) if (u != null) req.addUpdates(u);
        return master.onLoop(() -> master.heartbeat(req.build()));
    }

    private JobStatusProto status(String job) throws Exception {
        return master.onLoop(() -> master.status(job));
    }

    private static TaskUpdate done(TaskAssignment a) {
        return update(a, TaskUpdate.State.SUCCEEDED, "");
    }

    private static TaskUpdate running(TaskAssignment a) {
        return update(a, TaskUpdate.State.RUNNING, "");
    }

    private static TaskUpdate failed(TaskAssignment a, String error) {
        return update(a, TaskUpdate.State.FAILED, error);
    }

    private static TaskUpdate update(TaskAssignment a, TaskUpdate.State state, String error) {
        return TaskUpdate.newBuilder()
                .setJobId(a.getJobId())
                .setTaskId(a.getTaskId())
                .setAttempt(a.getAttempt())
                .setState(state)
                .setError(error)
                .build();
    }
}
