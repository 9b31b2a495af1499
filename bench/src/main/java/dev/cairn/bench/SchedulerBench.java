package dev.cairn.bench;

import dev.cairn.batch.JobSpec;
import dev.cairn.batch.internal.master.DirectJobMaster;
import dev.cairn.batch.internal.master.MasterSettings;
import dev.cairn.batch.internal.master.PartitionPlanner;
import dev.cairn.batch.internal.master.ResplitPolicy;
import dev.cairn.batch.internal.master.SpeculationPolicy;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.proto.TaskUpdate;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.io.FileTrees;
import dev.cairn.common.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The batch scheduler's own cost: the real {@code JobMaster}, called directly on this thread (no
 * RPC), schedules one job of {@code --tasks} map tasks and {@code --reducers} reduce tasks on
 * {@code --workers} simulated workers of {@code --slots} slots each. Workers heartbeat in turn; each
 * heartbeat reports every attempt the worker was given at its previous heartbeat as done and asks
 * for as many new ones as it has slots, so the master does nothing but assign and complete.
 *
 * <p>Reported per worker count: tasks (each assigned and completed once) per second of this
 * thread's CPU time ({@link ThreadMXBean}), and CPU microseconds per heartbeat. The time covers the
 * heartbeats only (building the requests included), not the job's submission (listing its input).
 * Each row is the median of {@code --runs} runs; {@code --warmup} unmeasured runs come first, so that
 * the JIT has compiled the scheduler's paths before any row is measured.
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.cairn.bench.SchedulerBench --workers 10,30,100</pre>
 */
@Command(name = "scheduler-bench", mixinStandardHelpOptions = true)
public final class SchedulerBench implements Runnable {
    @Option(names = "--workers", split = ",", description = "worker counts, one row each (default: ${DEFAULT-VALUE})")
    int[] workers = {10, 30, 100};

    @Option(names = "--tasks", description = "map tasks of the job (default: ${DEFAULT-VALUE})")
    int tasks = 10_000;

    @Option(names = "--reducers", description = "reduce tasks of the job (default: ${DEFAULT-VALUE})")
    int reducers = 10;

    @Option(names = "--slots", description = "slots per worker (default: ${DEFAULT-VALUE})")
    int slots = 4;

    @Option(names = "--runs", description = "measured runs per row; the median is shown (default: ${DEFAULT-VALUE})")
    int runs = 7;

    @Option(
            names = "--warmup",
            description =
                    "unmeasured runs before the first row, at each worker count in turn (default: ${DEFAULT-VALUE})")
    int warmup = 60;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    record Result(int workers, long tasks, long heartbeats, long cpuNanos, long wallNanos) {
        double tasksPerCpuSecond() {
            return tasks * 1e9 / cpuNanos;
        }

        double cpuMicrosPerHeartbeat() {
            return cpuNanos / 1e3 / heartbeats;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SchedulerBench()).execute(args));
    }

    @Override
    public void run() {
        try {
            System.out.printf(
                    "job: %,d maps + %d reduces; %d slots per worker; median of %d runs%n",
                    tasks, reducers, slots, runs);
            for (int i = 0; i < warmup; i++) once(workers[i % workers.length]);
            System.out.printf(
                    "%8s %12s %12s %14s %10s%n", "workers", "tasks/s", "heartbeats", "µs/heartbeat", "cpu ms");
            for (int n : workers) {
                Result[] results = new Result[runs];
                for (int i = 0; i < runs; i++) results[i] = once(n);
                Arrays.sort(results, Comparator.comparingDouble(Result::tasksPerCpuSecond));
                Result r = results[runs / 2];
                System.out.printf(
                        "%8d %,12.0f %,12d %14.1f %,10d%n",
                        n,
                        r.tasksPerCpuSecond(),
                        r.heartbeats(),
                        r.cpuMicrosPerHeartbeat(),
                        TimeUnit.NANOSECONDS.toMillis(r.cpuNanos()));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Result once(int workerCount) throws Exception {
        Path dir = Files.createTempDirectory("scheduler-bench");
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        MasterSettings settings = new MasterSettings(
                dir.resolve("master"),
                Duration.ofMinutes(10),
                Duration.ofSeconds(1),
                1,
                4,
                10,
                Duration.ZERO,
                FileSystemRegistry.local(),
                SpeculationPolicy.OFF,
                ResplitPolicy.OFF,
                PartitionPlanner.OFF);
        try (DirectJobMaster master = new DirectJobMaster(settings, clock)) {
            Path input = dir.resolve("input.txt");
            Files.write(input, new byte[tasks]); // 1-byte splits: one map task per byte
            JobSpec spec = JobSpec.builder("bench")
                    .input(input.toString())
                    .output(dir.resolve("out").toString())
                    .mapper(dev.cairn.batch.Mapper.class)
                    .reducer(dev.cairn.batch.Reducer.class)
                    .mapOutput(Codecs.STRING, Codecs.LONG)
                    .reducers(reducers)
                    .splitBytes(1)
                    .build();
            String job = master.submit(spec, jar(), "bench.jar").getJobId();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < workerCount; i++) {
                String id = String.format("w%03d", i);
                ids.add(id);
                master.register(RegisterWorkerRequest.newBuilder()
                        .setWorkerId(id)
                        .setEndpoint(id + ":7070")
                        .setSlots(slots)
                        .build());
            }
            List<List<TaskAssignment>> running = new ArrayList<>();
            for (int i = 0; i < workerCount; i++) running.add(List.of());
            long total = (long) tasks + reducers;
            long completed = 0;
            long heartbeats = 0;
            long step = Duration.ofSeconds(1).toNanos() / workerCount;
            long wall0 = System.nanoTime();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            while (completed < total) {
                for (int i = 0; i < workerCount; i++) {
                    HeartbeatRequest.Builder req = HeartbeatRequest.newBuilder()
                            .setWorkerId(ids.get(i))
                            .setFreeSlots(slots);
                    for (TaskAssignment a : running.get(i)) {
                        req.addUpdates(TaskUpdate.newBuilder()
                                .setJobId(a.getJobId())
                                .setTaskId(a.getTaskId())
                                .setAttempt(a.getAttempt())
                                .setState(TaskUpdate.State.SUCCEEDED)
                                .setProgress(1));
                        completed++;
                    }
                    HeartbeatResponse resp = master.heartbeat(req.build());
                    running.set(i, resp.getLaunchList());
                    heartbeats++;
                    clock.advance(step, TimeUnit.NANOSECONDS);
                    master.drain();
                }
            }
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            String state = master.status(job).getState();
            if (!state.equals("SUCCEEDED")) throw new IllegalStateException("job ended " + state);
            return new Result(workerCount, total, heartbeats, cpu, wall);
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    private static byte[] jar() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("dev/cairn/batch/Mapper.class"));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
