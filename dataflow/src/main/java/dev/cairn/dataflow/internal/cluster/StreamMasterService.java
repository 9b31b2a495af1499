package dev.cairn.dataflow.internal.cluster;

import dev.cairn.dataflow.internal.proto.HeartbeatRequest;
import dev.cairn.dataflow.internal.proto.HeartbeatResponse;
import dev.cairn.dataflow.internal.proto.JobRef;
import dev.cairn.dataflow.internal.proto.JobStatusProto;
import dev.cairn.dataflow.internal.proto.ListJobsRequest;
import dev.cairn.dataflow.internal.proto.ListJobsResponse;
import dev.cairn.dataflow.internal.proto.RegisterWorkerRequest;
import dev.cairn.dataflow.internal.proto.RegisterWorkerResponse;
import dev.cairn.dataflow.internal.proto.StreamMasterGrpc;
import dev.cairn.dataflow.internal.proto.SubmitRequest;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.StreamObserver;

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
        Rpc.reply(obs, () -> master.onLoop(() -> master.submit(req)));
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
}
