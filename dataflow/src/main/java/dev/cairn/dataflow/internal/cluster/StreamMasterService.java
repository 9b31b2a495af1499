package dev.cairn.dataflow.internal.cluster;

import dev.cairn.common.fs.FsUser;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.JobAccess;
import dev.cairn.dataflow.internal.proto.HeartbeatRequest;
import dev.cairn.dataflow.internal.proto.HeartbeatResponse;
import dev.cairn.dataflow.internal.proto.JobRef;
import dev.cairn.dataflow.internal.proto.JobStatusProto;
import dev.cairn.dataflow.internal.proto.ListJobsRequest;
import dev.cairn.dataflow.internal.proto.ListJobsResponse;
import dev.cairn.dataflow.internal.proto.RegisterWorkerRequest;
import dev.cairn.dataflow.internal.proto.RegisterWorkerResponse;
import dev.cairn.dataflow.internal.proto.SavepointRequest;
import dev.cairn.dataflow.internal.proto.SavepointResponse;
import dev.cairn.dataflow.internal.proto.StreamMasterGrpc;
import dev.cairn.dataflow.internal.proto.SubmitRequest;
import dev.cairn.rpc.RpcCaller;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stream master's RPC face: thin adapters that run each request on the {@link StreamJobMaster} loop.
 *
 * <p>Access (enforced only when callers are authenticated, over mutual TLS): a job belongs to the
 * user who submitted it, and only that user or an admin may see it, cancel it or take its
 * savepoints ({@link JobAccess}), checked in the same loop turn as the action, so a refused call
 * changes nothing; lists show a user only their own jobs. Worker calls are for nodes alone.
 */
public final class StreamMasterService extends StreamMasterGrpc.StreamMasterImplBase {
    private final StreamJobMaster master;
    private final JobAccess access;

    public StreamMasterService(StreamJobMaster master, JobAccess access) {
        this.master = master;
        this.access = access;
    }

    /**
     * Who made the call this handler serves; empty on a plain-text server. The one place the
     * stream master learns its caller, read on the handler's thread (the loop has no call context).
     */
    private static Optional<CairnPrincipal> caller() {
        return RpcCaller.current();
    }

    @Override
    public void registerWorker(RegisterWorkerRequest req, StreamObserver<RegisterWorkerResponse> obs) {
        Rpc.reply(obs, () -> {
            RpcCaller.requireNode("register as a stream worker");
            return master.onLoop(() -> master.register(req));
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Rpc.reply(obs, () -> {
            RpcCaller.requireNode("heartbeat as a stream worker");
            return master.onLoop(() -> master.heartbeat(req));
        });
    }

    @Override
    public void submit(SubmitRequest req, StreamObserver<JobStatusProto> obs) {
        SubmitRequest owned = req.toBuilder()
                .setOwner(JobAccess.ownerOf(caller(), req.getOwner()))
                .build();
        Optional<FsUser> checkAs = RpcCaller.fileUser(access.admins());
        Rpc.reply(obs, () -> {
            master.checkPaths(owned, checkAs);
            return master.onLoop(() -> master.submit(owned));
        });
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

    /** Waits off the loop (on the RPC thread) until the savepoint is written, at most ten minutes. */
    @Override
    public void savepoint(SavepointRequest req, StreamObserver<SavepointResponse> obs) {
        Optional<CairnPrincipal> caller = caller();
        Rpc.reply(obs, () -> {
            var result = master.onLoop(() -> {
                // A savepoint copies the job's state out, and with stop it cancels the job: both need
                // the right to cancel, not just to look.
                check(caller, req.getJobId(), JobAccess.Right.CANCEL);
                return master.savepoint(req.getJobId(), req.getPath(), req.getStop());
            });
            try {
                return result.get(10, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                throw e;
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "the savepoint of job " + req.getJobId() + " did not complete in 10 minutes", e);
            }
        });
    }

    /** On the loop: refuses {@code caller} the {@code right} on the job unless it owns it or is an admin. */
    private void check(Optional<CairnPrincipal> caller, String jobId, JobAccess.Right right) {
        access.check(caller, jobId, master.owner(jobId), right);
    }
}
