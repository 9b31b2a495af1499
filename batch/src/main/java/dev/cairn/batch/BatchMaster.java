package dev.cairn.batch;

import dev.cairn.batch.internal.master.JobMaster;
import dev.cairn.batch.internal.master.MasterSettings;
import dev.cairn.batch.internal.master.PartitionPlanner;
import dev.cairn.batch.internal.master.ResplitPolicy;
import dev.cairn.batch.internal.master.SpeculationPolicy;
import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.RpcService;
import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.MasterGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The master role of a node: accepts jobs, schedules their tasks on workers, commits their
 * output. Its services answer only while it is {@linkplain #activate() active}; a standby answers
 * UNAVAILABLE naming the active master, so clients and workers that reach the wrong one learn where
 * to go and a deposed master can no longer change anything.
 */
public final class BatchMaster implements AutoCloseable {
    /** A running task hands over at least this much input when it is re-split: less is not worth a task. */
    static final long RESPLIT_MIN_BYTES = 256L << 10;

    /**
     * What the master needs.
     *
     * @param dir where submitted job jars are kept while their jobs run
     * @param workerTimeout a worker silent this long is declared dead
     * @param heartbeatInterval how often workers are told to heartbeat
     * @param splitBytes default input split size
     * @param maxAttempts default attempts per task
     * @param jobHistory finished jobs remembered for {@code job list}
     * @param localityWait how long a map task waits for a slot where its input lies
     * @param speculation whether stragglers get speculative copies
     * @param speculationMultiplier how many times its stage's median run time makes a task a straggler
     * @param speculationMinRuntime how long a task must have run before it may be copied
     * @param adaptive whether running tasks are re-split and stages re-planned from their input's sizes
     * @param resplitMinGain the least time a re-split must save
     * @param targetPartitionBytes the input a task of coalesced partitions aims at
     * @param skewFactor how many times its stage's median a skewed partition exceeds
     * @param skewMinBytes the least bytes of a skewed partition
     */
    public record Settings(
            Path dir,
            Duration workerTimeout,
            Duration heartbeatInterval,
            long splitBytes,
            int maxAttempts,
            int jobHistory,
            Duration localityWait,
            boolean speculation,
            double speculationMultiplier,
            Duration speculationMinRuntime,
            boolean adaptive,
            Duration resplitMinGain,
            long targetPartitionBytes,
            double skewFactor,
            long skewMinBytes) {
        /** The settings {@link BatchConfig}'s keys give a node; {@code dir} is the master's working directory. */
        public static Settings from(Config config, Path dir) {
            return new Settings(
                    dir,
                    config.get(BatchConfig.MASTER_WORKER_TIMEOUT),
                    config.get(BatchConfig.WORKER_HEARTBEAT_INTERVAL),
                    config.get(BatchConfig.MASTER_SPLIT_SIZE),
                    config.get(BatchConfig.MASTER_MAX_ATTEMPTS),
                    config.get(BatchConfig.MASTER_JOB_HISTORY),
                    config.get(BatchConfig.MASTER_LOCALITY_WAIT),
                    config.get(BatchConfig.MASTER_SPECULATION),
                    config.get(BatchConfig.MASTER_SPECULATION_MULTIPLIER),
                    config.get(BatchConfig.MASTER_SPECULATION_MIN_RUNTIME),
                    config.get(BatchConfig.MASTER_ADAPTIVE),
                    config.get(BatchConfig.MASTER_RESPLIT_MIN_GAIN),
                    config.get(BatchConfig.MASTER_TARGET_PARTITION_SIZE),
                    config.get(BatchConfig.MASTER_SKEW_FACTOR),
                    config.get(BatchConfig.MASTER_SKEW_MIN_SIZE));
        }

        ResplitPolicy resplit() {
            return new ResplitPolicy(adaptive, resplitMinGain, RESPLIT_MIN_BYTES);
        }

        PartitionPlanner partitions() {
            return new PartitionPlanner(adaptive, targetPartitionBytes, skewFactor, skewMinBytes);
        }
    }

    private final JobMaster master;
    private final MasterGate gate;
    private final JobAccess access;

    private BatchMaster(JobMaster master, MasterGate gate, JobAccess access) {
        this.master = master;
        this.gate = gate;
        this.access = access;
    }

    /**
     * A master, standing by until {@link #activate}, whose only admins are the cluster's nodes (all
     * a plain-text master needs: nobody is authenticated there, so nothing is enforced).
     *
     * @param fileSystems where job inputs are listed and outputs committed
     * @param activeMaster the active master's endpoint as the election shows it, for a standby's answers
     * @param clock decides worker expiry and delay scheduling
     */
    public static BatchMaster create(
            Settings settings, FileSystemRegistry fileSystems, Supplier<Optional<String>> activeMaster, Clock clock) {
        return create(settings, fileSystems, activeMaster, clock, JobAccess.nodesOnly());
    }

    /**
     * A master, standing by until {@link #activate}, that lets authenticated callers see and
     * cancel only the jobs they own unless {@code access} makes them admins.
     */
    public static BatchMaster create(
            Settings settings,
            FileSystemRegistry fileSystems,
            Supplier<Optional<String>> activeMaster,
            Clock clock,
            JobAccess access) {
        JobMaster master = new JobMaster(
                new MasterSettings(
                        settings.dir(),
                        settings.workerTimeout(),
                        settings.heartbeatInterval(),
                        settings.splitBytes(),
                        settings.maxAttempts(),
                        settings.jobHistory(),
                        settings.localityWait(),
                        fileSystems,
                        new SpeculationPolicy(
                                settings.speculation(),
                                settings.speculationMultiplier(),
                                settings.speculationMinRuntime()),
                        settings.resplit(),
                        settings.partitions()),
                clock);
        return new BatchMaster(master, new MasterGate(activeMaster), access);
    }

    /** The services to serve on the node's RPC server, each behind the active/standby gate. */
    public List<RpcService> services() {
        return master.services(access).stream()
                .<RpcService>map(s -> GrpcService.of(s).intercepted(gate))
                .toList();
    }

    /** Starts answering: this node is the active master. */
    public void activate() {
        gate.open();
    }

    /** Stops answering (deposed or shutting down); returns whether it was active. */
    public boolean deactivate() {
        boolean was = gate.isOpen();
        gate.close();
        return was;
    }

    public boolean isActive() {
        return gate.isOpen();
    }

    /**
     * Every job this master remembers (running ones and the last {@code master.job-history}
     * finished ones), oldest first: a snapshot taken on the master's loop, which the caller waits
     * for and the loop does not.
     */
    public List<JobStatus> jobs() {
        return snapshot(master::jobSnapshots);
    }

    /** One job's snapshot, or empty if this master does not know it. */
    public Optional<JobStatus> job(String jobId) {
        return snapshot(() -> master.jobSnapshot(jobId));
    }

    /** One job's tasks (maps first), or empty if this master does not know the job. */
    public Optional<List<TaskStatus>> tasks(String jobId) {
        return snapshot(() -> master.taskSnapshots(jobId));
    }

    /** Who may see and act on which job. */
    public JobAccess access() {
        return access;
    }

    /** Every worker this master has heard of, dead ones included. */
    public List<WorkerStatus> workers() {
        return snapshot(master::workerSnapshots);
    }

    private static <T> T snapshot(Callable<T> read) {
        try {
            return read.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the master's loop", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the master's state: " + e, e);
        }
    }

    @Override
    public void close() {
        gate.close();
        master.close();
    }
}
