package dev.cairn.dataflow;

import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.cluster.StreamJobMaster;
import dev.cairn.dataflow.internal.cluster.StreamMasterService;
import dev.cairn.dataflow.internal.cluster.StreamMeters;
import dev.cairn.rpc.RpcService;
import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.MasterGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The stream side of a master node: accepts stream jobs, places their subtasks on the workers'
 * stream slots, coordinates their checkpoints, and restarts a job from its latest complete
 * checkpoint when a subtask fails or a worker is lost. Its service answers only while it is
 * {@linkplain #activate() active}; a standby answers UNAVAILABLE naming the active master. A
 * master that becomes active restores the jobs its predecessor ran, from the records in the
 * {@link StreamJobRegistry} and the checkpoints under {@link Settings#dir}.
 */
public final class StreamMaster implements AutoCloseable {
    /**
     * What the stream master needs.
     *
     * @param dir shared by every master: submitted jobs, and their checkpoints unless {@code checkpointDir} is set
     * @param checkpointDir {@link DataflowConfig#STREAM_CHECKPOINT_DIR}: the jobs' checkpoints, on
     *     any of {@code fileSystems}; null: under {@code dir}
     * @param workerTimeout {@link DataflowConfig#STREAM_WORKER_TIMEOUT}
     * @param heartbeatInterval {@link DataflowConfig#STREAM_HEARTBEAT_INTERVAL}
     * @param restartDelay {@link DataflowConfig#STREAM_RESTART_DELAY}
     * @param fileSystems the node's file systems: the master checks the paths of a submitted job's
     *     file sources and sinks on them
     */
    public record Settings(
            Path dir,
            String checkpointDir,
            Duration workerTimeout,
            Duration heartbeatInterval,
            Duration restartDelay,
            FileSystemRegistry fileSystems) {
        /** The settings {@link DataflowConfig}'s keys give; {@code defaultDir} when {@code stream.dir} is unset. */
        public static Settings from(Config config, Path defaultDir, FileSystemRegistry fileSystems) {
            String dir = config.get(DataflowConfig.STREAM_DIR);
            return new Settings(
                    dir == null ? defaultDir : Path.of(dir),
                    config.get(DataflowConfig.STREAM_CHECKPOINT_DIR),
                    config.get(DataflowConfig.STREAM_WORKER_TIMEOUT),
                    config.get(DataflowConfig.STREAM_HEARTBEAT_INTERVAL),
                    config.get(DataflowConfig.STREAM_RESTART_DELAY),
                    fileSystems);
        }
    }

    private final StreamJobMaster master;
    private final MasterGate gate;
    private final JobAccess access;

    private StreamMaster(StreamJobMaster master, MasterGate gate, JobAccess access) {
        this.master = master;
        this.gate = gate;
        this.access = access;
    }

    /**
     * A stream master, standing by until {@link #activate}.
     *
     * @param activeMaster the active master's endpoint as the election shows it, for a standby's answers
     * @param clock decides worker expiry, checkpoint intervals and restart delays
     */
    public static StreamMaster create(
            Settings settings, StreamJobRegistry registry, Supplier<Optional<String>> activeMaster, Clock clock)
            throws IOException {
        return create(settings, registry, activeMaster, clock, new SimpleMeterRegistry());
    }

    /**
     * {@link #create(Settings, StreamJobRegistry, Supplier, Clock)}, recording the checkpoints of
     * the jobs it runs while active into {@code meters}: {@code cairn_stream_checkpoints_total{outcome}}
     * (completed, failed), {@code cairn_stream_checkpoint_seconds} and
     * {@code cairn_stream_checkpoint_size_bytes}. The other overload records into a registry of its own.
     */
    public static StreamMaster create(
            Settings settings,
            StreamJobRegistry registry,
            Supplier<Optional<String>> activeMaster,
            Clock clock,
            MeterRegistry meters)
            throws IOException {
        return create(settings, registry, activeMaster, clock, meters, JobAccess.nodesOnly());
    }

    /**
     * {@link #create(Settings, StreamJobRegistry, Supplier, Clock, MeterRegistry)}, letting
     * authenticated callers see, cancel and savepoint only the jobs they own unless {@code access}
     * makes them admins (the other overloads: only nodes are).
     */
    public static StreamMaster create(
            Settings settings,
            StreamJobRegistry registry,
            Supplier<Optional<String>> activeMaster,
            Clock clock,
            MeterRegistry meters,
            JobAccess access)
            throws IOException {
        StreamJobMaster master = new StreamJobMaster(
                new StreamJobMaster.Settings(
                        settings.dir(),
                        settings.checkpointDir(),
                        settings.workerTimeout(),
                        settings.heartbeatInterval(),
                        settings.restartDelay(),
                        settings.fileSystems()),
                registry,
                clock,
                new StreamMeters.Master(meters));
        return new StreamMaster(master, new MasterGate(activeMaster), access);
    }

    /** The RPC services for the node's server, behind the active/standby gate. */
    public List<RpcService> services() {
        return List.of(GrpcService.of(new StreamMasterService(master, access)).intercepted(gate));
    }

    /** This node won the master election: restore the running jobs, then serve. */
    public void activate() {
        try {
            master.onLoop(() -> {
                master.activate();
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException("the stream master cannot restore its jobs: " + e, e);
        }
        gate.open();
    }

    /** This node lost the master role: stop serving and forget the jobs. Returns whether it was active. */
    public boolean deactivate() {
        boolean was = gate.isOpen();
        gate.close();
        try {
            master.onLoop(() -> {
                master.deactivate();
                return null;
            });
        } catch (Exception e) {
            // Closed meanwhile: nothing to forget.
        }
        return was;
    }

    public boolean isActive() {
        return gate.isOpen();
    }

    @Override
    public void close() {
        gate.close();
        master.close();
    }
}
