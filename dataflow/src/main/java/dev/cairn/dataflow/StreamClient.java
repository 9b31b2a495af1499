package dev.cairn.dataflow;

import com.google.protobuf.ByteString;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import dev.cairn.dataflow.internal.proto.ChainHead;
import dev.cairn.dataflow.internal.proto.CheckpointInfo;
import dev.cairn.dataflow.internal.proto.JobRef;
import dev.cairn.dataflow.internal.proto.JobSettingsProto;
import dev.cairn.dataflow.internal.proto.JobStatusProto;
import dev.cairn.dataflow.internal.proto.ListJobsRequest;
import dev.cairn.dataflow.internal.proto.OperatorInfo;
import dev.cairn.dataflow.internal.proto.SavepointRequest;
import dev.cairn.dataflow.internal.proto.SavepointResponse;
import dev.cairn.dataflow.internal.proto.StreamMasterGrpc;
import dev.cairn.dataflow.internal.proto.SubmitRequest;
import dev.cairn.dataflow.internal.runtime.SubtaskLauncher;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.Rpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Submits stream jobs to the active master and follows them. Calls throw
 * {@link dev.cairn.rpc.RemoteException} with the master's message (an unknown job id: NOT_FOUND;
 * on a secure cluster, another user's job: PERMISSION_DENIED unless this client is an admin),
 * or {@link dev.cairn.rpc.RpcUnavailableException} when the master cannot be reached or is a
 * standby.
 */
public final class StreamClient implements AutoCloseable {
    private final String master;
    private final Channels channels;
    private final Duration deadline;

    private StreamClient(String master, Duration deadline, TransportSecurity security) {
        this.master = master;
        this.deadline = deadline;
        this.channels = new Channels(security);
    }

    public static StreamClient connect(String masterEndpoint) {
        return connect(masterEndpoint, Duration.ofSeconds(30));
    }

    /** A client calling the master with {@code security}, with the default deadline. */
    public static StreamClient connect(String masterEndpoint, TransportSecurity security) {
        return connect(masterEndpoint, Duration.ofSeconds(30), security);
    }

    public static StreamClient connect(String masterEndpoint, Duration deadline) {
        return connect(masterEndpoint, deadline, TransportSecurity.plain());
    }

    /** A client calling the master with {@code security} (mutual TLS for a secure cluster). */
    public static StreamClient connect(String masterEndpoint, Duration deadline, TransportSecurity security) {
        return new StreamClient(masterEndpoint, deadline, security);
    }

    /**
     * Submits {@code flow}'s program. The user classes it uses must be in {@code jar}, which the
     * workers load them from; Cairn's own classes are on every node.
     *
     * @throws IllegalArgumentException if the program cannot be shipped (a function that is not serializable)
     */
    public StreamJobStatus submit(Dataflow flow, String name, byte[] jar, String jarName, StreamJobSettings settings) {
        LogicalGraph graph = flow.toGraph();
        SubmitRequest.Builder req = SubmitRequest.newBuilder()
                .setName(name)
                .setGraph(ByteString.copyFrom(serialize(graph)))
                .setJar(ByteString.copyFrom(jar))
                .setJarName(jarName)
                .setOwner(System.getProperty("user.name", ""))
                .setSettings(JobSettingsProto.newBuilder()
                        .setBatchSize(flow.options().batchSize())
                        .setWatermarkIntervalRecords(flow.options().watermarkIntervalRecords())
                        .setCheckpointIntervalMs(
                                settings.checkpointInterval() == null
                                        ? 0
                                        : Math.max(
                                                1, settings.checkpointInterval().toMillis()))
                        .setCheckpointsRetained(settings.checkpointsRetained())
                        .setRestartAttempts(settings.restartAttempts()));
        for (OperatorNode node : graph.nodes()) {
            req.addOperatorInfo(OperatorInfo.newBuilder()
                    .setId(node.id())
                    .setName(node.name())
                    .setParallelism(node.parallelism())
                    .addAllInputs(graph.inputsOf(node.id()).stream()
                            .map(Edge::source)
                            .distinct()
                            .toList()));
        }
        if (flow.options().savepoint() != null) req.setSavepoint(flow.options().savepoint());
        for (OperatorNode node : graph.nodes()) {
            req.addAllInputPaths(node.factory().inputPaths());
            req.addAllNewOutputDirs(node.factory().newOutputDirectories());
        }
        req.setMaxParallelism(graph.maxParallelism());
        for (OperatorNode node : graph.nodes()) req.addOperators(node.id() + ":" + node.name());
        for (OperatorNode head : SubtaskLauncher.chainHeads(graph)) {
            req.addHeads(ChainHead.newBuilder()
                    .setOperator(head.id())
                    .setParallelism(head.parallelism())
                    .setSource(head.inputs() == 0));
        }
        SubmitRequest request = req.build();
        return fromProto(Rpc.call(master, "Submit", () -> stub().submit(request)));
    }

    private static byte[] serialize(LogicalGraph graph) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(graph);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    "the program cannot be shipped to the cluster: " + e.getMessage() + " is not serializable", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the program cannot be shipped to the cluster: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Where a savepoint was written, and the job's status after it (cancelled if it was a stop). */
    public record Savepoint(String path, long checkpointId, StreamJobStatus status) {}

    /**
     * Takes a savepoint of a running job with checkpoints: a checkpoint now, copied to
     * {@code path} (null: {@code stream.dir/savepoints/<job>-<checkpoint>} on the master), durably.
     * With {@code stop}, the job is cancelled once the savepoint is written, and this returns when
     * no worker runs it any more. Waits up to ten minutes.
     */
    public Savepoint savepoint(String jobId, String path, boolean stop) {
        SavepointRequest req = SavepointRequest.newBuilder()
                .setJobId(jobId)
                .setPath(path == null ? "" : path)
                .setStop(stop)
                .build();
        SavepointResponse r = Rpc.call(
                master,
                "Savepoint",
                () -> StreamMasterGrpc.newBlockingStub(channels.get(master))
                        .withDeadlineAfter(Math.max(deadline.toMillis(), 600_000), TimeUnit.MILLISECONDS)
                        .savepoint(req));
        return new Savepoint(r.getPath(), r.getCheckpointId(), fromProto(r.getStatus()));
    }

    public StreamJobStatus status(String jobId) {
        JobRef ref = JobRef.newBuilder().setJobId(jobId).build();
        return fromProto(Rpc.call(master, "GetJob", () -> stub().getJob(ref)));
    }

    public StreamJobStatus cancel(String jobId) {
        JobRef ref = JobRef.newBuilder().setJobId(jobId).build();
        return fromProto(Rpc.call(master, "CancelJob", () -> stub().cancelJob(ref)));
    }

    public List<StreamJobStatus> list() {
        return Rpc.call(master, "ListJobs", () -> stub().listJobs(ListJobsRequest.getDefaultInstance()))
                .getJobsList()
                .stream()
                .map(StreamClient::fromProto)
                .toList();
    }

    private StreamMasterGrpc.StreamMasterBlockingStub stub() {
        return StreamMasterGrpc.newBlockingStub(channels.get(master))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static StreamJobStatus fromProto(JobStatusProto p) {
        Optional<StreamJobStatus.Checkpoint> checkpoint =
                p.hasLatestCheckpoint() ? Optional.of(fromProto(p.getLatestCheckpoint())) : Optional.empty();
        return new StreamJobStatus(
                p.getJobId(),
                p.getName(),
                p.getOwner(),
                StreamJobStatus.State.valueOf(p.getState()),
                p.getAttempt(),
                p.getRestarts(),
                p.getSubtasks(),
                p.getRunningSubtasks(),
                p.getFinishedSubtasks(),
                checkpoint,
                p.getCompletedCheckpoints(),
                p.getFailure(),
                Instant.ofEpochMilli(p.getSubmittedAtMs()),
                p.getEndedAtMs() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(p.getEndedAtMs())),
                p.getSlotWorkersList(),
                p.getRecentCheckpointsList().stream()
                        .map(StreamClient::fromProto)
                        .toList(),
                p.getOperatorsList().stream()
                        .map(o -> new StreamJobStatus.Operator(
                                o.getId(),
                                o.getName(),
                                o.getParallelism(),
                                o.getRecordsIn(),
                                o.getRecordsOut(),
                                o.getRecordsInPerSecond(),
                                o.getRecordsOutPerSecond(),
                                o.getWatermark() == Long.MIN_VALUE ? Optional.empty() : Optional.of(o.getWatermark()),
                                o.getBackpressure(),
                                o.getInputsList()))
                        .toList());
    }

    private static StreamJobStatus.Checkpoint fromProto(CheckpointInfo c) {
        return new StreamJobStatus.Checkpoint(
                c.getId(),
                Instant.ofEpochMilli(c.getCompletedAtMs()),
                Duration.ofMillis(c.getDurationMs()),
                c.getBytes());
    }

    @Override
    public void close() {
        channels.close();
    }
}
