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
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;

/** The master's RPC face: thin adapters that run each request on the {@link JobMaster} loop. */
final class JobMasterService extends JobMasterGrpc.JobMasterImplBase {
    private final JobMaster master;

    JobMasterService(JobMaster master) {
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
    public void commitTask(CommitTaskRequest req, StreamObserver<CommitTaskResponse> obs) {
        Rpc.reply(obs, () -> master.onLoop(() -> master.commit(AttemptRef.fromProto(req.getAttempt()))));
    }

    @Override
    public void submitJob(SubmitJobRequest req, StreamObserver<JobStatusProto> obs) {
        String jarName = req.getJarName().isEmpty() ? "(unnamed)" : req.getJarName();
        Rpc.reply(
                obs,
                () -> req.hasGraph()
                        ? master.submit(
                                Protos.fromProto(req.getGraph()), req.getJar().toByteArray(), jarName)
                        : master.submit(
                                Protos.fromProto(req.getSpec()), req.getJar().toByteArray(), jarName));
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

    @Override
    public void getJobJar(JobRef req, StreamObserver<JobJar> obs) {
        Rpc.reply(obs, () -> {
            Path jar = master.onLoop(() -> master.jar(req.getJobId()));
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
}
