package dev.cairn.batch;

import com.google.protobuf.ByteString;
import dev.cairn.batch.internal.Protos;
import dev.cairn.batch.internal.proto.JobMasterGrpc;
import dev.cairn.batch.internal.proto.JobRef;
import dev.cairn.batch.internal.proto.ListJobsRequest;
import dev.cairn.batch.internal.proto.ListWorkersRequest;
import dev.cairn.batch.internal.proto.SubmitJobRequest;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.HostPort;
import dev.cairn.rpc.grpc.Rpc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Talks to a master: submits jobs, reads their status, cancels them, lists workers. Failures
 * surface as {@link dev.cairn.rpc.RemoteException} carrying the master's one-line reason; on a
 * secure cluster, a job of another user is refused as PERMISSION_DENIED unless this client's
 * certificate names an admin, and {@link #list()} shows only this user's jobs.
 * Thread-safe.
 */
public final class BatchClient implements AutoCloseable {
    private final String master;
    private final Channels channels;
    private final Duration deadline;

    private BatchClient(String master, Duration deadline, TransportSecurity security) {
        this.master = master;
        this.deadline = deadline;
        this.channels = new Channels(security);
    }

    /** A client of the master at {@code master}, written {@code host:port}, in plain text. */
    public static BatchClient connect(String master) {
        return connect(master, TransportSecurity.plain());
    }

    /** A client of the master at {@code master} calling it with {@code security} (mutual TLS for a secure cluster). */
    public static BatchClient connect(String master, TransportSecurity security) {
        HostPort.parse(master);
        return new BatchClient(master, Duration.ofSeconds(60), security);
    }

    private JobMasterGrpc.JobMasterBlockingStub stub() {
        return JobMasterGrpc.newBlockingStub(channels.get(master))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Submits a job whose classes are in {@code jar}; returns its first status (with its id). */
    public JobStatus submit(JobSpec spec, byte[] jar, String jarName) {
        var req = SubmitJobRequest.newBuilder()
                .setSpec(Protos.toProto(spec))
                .setJar(ByteString.copyFrom(jar))
                .setJarName(jarName)
                .setUser(localUser())
                .build();
        return Protos.fromProto(Rpc.call(master, "SubmitJob", () -> stub().submitJob(req)));
    }

    /** Submits a job given as a graph of stages, whose programs are Cairn's or in {@code jar}; returns its first status. */
    public JobStatus submit(JobGraph graph, byte[] jar, String jarName) {
        var req = SubmitJobRequest.newBuilder()
                .setGraph(Protos.toProto(graph))
                .setJar(ByteString.copyFrom(jar))
                .setJarName(jarName)
                .setUser(localUser())
                .build();
        return Protos.fromProto(Rpc.call(master, "SubmitJob", () -> stub().submitJob(req)));
    }

    /**
     * Who this process runs as ({@code user.name}): the owner a plain-text master records for the
     * jobs it submits. A secure master takes the owner from the client's certificate instead.
     */
    static String localUser() {
        return System.getProperty("user.name", "");
    }

    public JobStatus status(String jobId) {
        return Protos.fromProto(Rpc.call(
                master,
                "GetJob",
                () -> stub().getJob(JobRef.newBuilder().setJobId(jobId).build())));
    }

    public JobStatus cancel(String jobId) {
        return Protos.fromProto(Rpc.call(
                master,
                "CancelJob",
                () -> stub().cancelJob(JobRef.newBuilder().setJobId(jobId).build())));
    }

    public List<JobStatus> list() {
        return Rpc.call(master, "ListJobs", () -> stub().listJobs(ListJobsRequest.getDefaultInstance()))
                .getJobsList()
                .stream()
                .map(Protos::fromProto)
                .toList();
    }

    public List<WorkerStatus> workers() {
        return Rpc.call(master, "ListWorkers", () -> stub().listWorkers(ListWorkersRequest.getDefaultInstance()))
                .getWorkersList()
                .stream()
                .map(Protos::fromProto)
                .toList();
    }

    public String master() {
        return master;
    }

    @Override
    public void close() {
        channels.close();
    }
}
