package dev.cairn.dataflow.internal.cluster;

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
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The stream master's RPC face: thin adapters that run each request on the {@link StreamJobMaster} loop. */
public final class StreamMasterService extends StreamMasterGrpc.StreamMasterImplBase {
    private final StreamJobMaster master;

    public StreamMasterService(StreamJobMaster master) {
        this.master = master;
    }

    @Override
    public void registerWorker(RegisterWorkerRequest req, StreamObserver<RegisterWorkerResponse> obs) {
        Rpc.reply(obs, () -> master.onLoop(() -> master.register(req)));
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Rpc.reply(obs, () -> master.onLoop(() -> master.heartbeat(req)));
    }

    @Override
    public void submit(SubmitRequest req, StreamObserver<JobStatusProto> obs) {
        Rpc.reply(obs, () -> {
            master.checkPaths(req);
            return master.onLoop(() -> master.submit(req));
        });
    }

    @Override
    public void getJob(JobRef req, StreamObserver<JobStatusProto> obs) {
        Rpc.reply(obs, () -> master.onLoop(() -> master.status(req.getJobId())));
    }

    @Override
    public void cancelJob(JobRef req, StreamObserver<JobStatusProto> obs) {
        Rpc.reply(obs, () -> master.onLoop(() -> master.cancel(req.getJobId())));
    }

    @Override
    public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> obs) {
        Rpc.reply(
                obs,
                () -> ListJobsResponse.newBuilder()
                        .addAllJobs(master.onLoop(master::list))
                        .build());
    }

    /** Waits off the loop (on the RPC thread) until the savepoint is written, at most ten minutes. */
    @Override
    public void savepoint(SavepointRequest req, StreamObserver<SavepointResponse> obs) {
        Rpc.reply(obs, () -> {
            var result = master.onLoop(() -> master.savepoint(req.getJobId(), req.getPath(), req.getStop()));
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
}
