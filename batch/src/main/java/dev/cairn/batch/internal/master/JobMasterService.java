package dev.cairn.batch.internal.master;

import com.google.protobuf.ByteString;
import dev.cairn.batch.internal.Protos;
import dev.cairn.batch.internal.proto.CommitTaskRequest;
import dev.cairn.batch.internal.proto.CommitTaskResponse;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.JobJar;
import dev.cairn.batch.internal.proto.JobMasterGrpc;
import dev.cairn.batch.internal.proto.JobRef;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.ListJobsRequest;
import dev.cairn.batch.internal.proto.ListJobsResponse;
import dev.cairn.batch.internal.proto.ListWorkersRequest;
import dev.cairn.batch.internal.proto.ListWorkersResponse;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.RegisterWorkerResponse;
import dev.cairn.batch.internal.proto.SubmitJobRequest;
import dev.cairn.common.fs.FsUser;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.JobAccess;
import dev.cairn.rpc.RpcCaller;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The master's RPC face: thin adapters that run each request on the {@link JobMaster} loop.
 *
 * <p>Access (enforced only when callers are authenticated, i.e. over mutual TLS): a job belongs to
 * the user who submitted it, and only that user or an admin may see it, cancel it or fetch its jar
 * ({@link JobAccess}); the check and the action run in one loop turn, so a refused call changes
 * nothing. Lists show a user only their own jobs. Worker calls (register, heartbeat, commit) are
 * for nodes alone: a user's certificate must not pass for a worker and be handed others' tasks.
 */
final class JobMasterService extends JobMasterGrpc.JobMasterImplBase {
    private final JobMaster master;
    private final JobAccess access;

    JobMasterService(JobMaster master, JobAccess access) {
        this.master = master;
        this.access = access;
    }

    /**
     * Who made the call this handler serves; empty on a plain-text server. The one place the
     * master learns its caller, read on the handler's thread (the loop has no call context).
     */
    private static Optional<CairnPrincipal> caller() {
        return RpcCaller.current();
    }

    @Override
    public void registerWorker(RegisterWorkerRequest req, StreamObserver<RegisterWorkerResponse> obs) {
        Rpc.reply(obs, () -> {
            RpcCaller.requireNode("register as a worker");
            return master.onLoop(() -> master.register(req));
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Rpc.reply(obs, () -> {
            RpcCaller.requireNode("heartbeat as a worker");
            return master.onLoop(() -> master.heartbeat(req));
        });
    }

    @Override
    public void commitTask(CommitTaskRequest req, StreamObserver<CommitTaskResponse> obs) {
        Rpc.reply(obs, () -> {
            RpcCaller.requireNode("commit a task");
            return master.onLoop(() -> master.commit(AttemptRef.fromProto(req.getAttempt())));
        });
    }

    @Override
    public void submitJob(SubmitJobRequest req, StreamObserver<JobStatusProto> obs) {
        String jarName = req.getJarName().isEmpty() ? "(unnamed)" : req.getJarName();
        String owner = JobAccess.ownerOf(caller(), req.getUser());
        Optional<FsUser> checkAs = RpcCaller.fileUser(access.admins());
        Rpc.reply(
                obs,
                () -> req.hasGraph()
                        ? master.submit(
                                Protos.fromProto(req.getGraph()), req.getJar().toByteArray(), jarName, owner, checkAs)
                        : master.submit(
                                Protos.fromProto(req.getSpec()), req.getJar().toByteArray(), jarName, owner, checkAs));
    }

    @Override
    public void getJob(JobRef req, StreamObserver<JobStatusProto> obs) {
        Optional<CairnPrincipal> caller = caller();
        Rpc.reply(
                obs,
                () -> master.onLoop(() -> {
                    check(caller, req.getJobId(), JobAccess.Right.VIEW);
                    return master.status(req.getJobId());
                }));
    }

    @Override
    public void cancelJob(JobRef req, StreamObserver<JobStatusProto> obs) {
        Optional<CairnPrincipal> caller = caller();
        Rpc.reply(
                obs,
                () -> master.onLoop(() -> {
                    check(caller, req.getJobId(), JobAccess.Right.CANCEL);
                    return master.cancel(req.getJobId());
                }));
    }

    @Override
    public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> obs) {
        Optional<CairnPrincipal> caller = caller();
        Rpc.reply(
                obs,
                () -> ListJobsResponse.newBuilder()
                        .addAllJobs(master.onLoop(() -> master.list().stream()
                                .filter(j -> access.allows(caller, j.getOwner()))
                                .toList()))
                        .build());
    }

    @Override
    public void getJobJar(JobRef req, StreamObserver<JobJar> obs) {
        Optional<CairnPrincipal> caller = caller();
        Rpc.reply(obs, () -> {
            Path jar = master.onLoop(() -> {
                check(caller, req.getJobId(), JobAccess.Right.VIEW);
                return master.jar(req.getJobId());
            });
            return JobJar.newBuilder()
                    .setJar(ByteString.copyFrom(Files.readAllBytes(jar)))
                    .build();
        });
    }

    @Override
    public void listWorkers(ListWorkersRequest req, StreamObserver<ListWorkersResponse> obs) {
        Rpc.reply(
                obs,
                () -> ListWorkersResponse.newBuilder()
                        .addAllWorkers(master.onLoop(master::workers))
                        .build());
    }

    /** On the loop: refuses {@code caller} the {@code right} on the job unless it owns it or is an admin. */
    private void check(Optional<CairnPrincipal> caller, String jobId, JobAccess.Right right) {
        access.check(caller, jobId, master.owner(jobId), right);
    }
}
