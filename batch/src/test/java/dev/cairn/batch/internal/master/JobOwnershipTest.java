package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.JobMasterGrpc;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.Admins;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.RpcServer;
import dev.cairn.rpc.RpcService;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.Rpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs belong to their submitters, over real gRPC with real certificates: a job's owner is the
 * user of the submitting client's certificate; another user is refused seeing, cancelling and
 * fetching the jar of it (PERMISSION_DENIED, naming the job and the right) and the job is left as
 * it was; admins ({@code root} here) and nodes may do all of it; lists show a user their own jobs;
 * tasks carry the owner; and a user's certificate cannot pass for a worker's. On a plain-text
 * master nothing is enforced and the owner is the name the client sends.
 */
class JobOwnershipTest {
    @TempDir
    Path dir;

    private JobMaster master;
    private RpcServer server;
    private int outputs;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (master != null) master.close();
    }

    /** A master with no workers (its jobs stay RUNNING), serving with {@code security}; admins: root. */
    private String start(TransportSecurity security) throws IOException {
        master = new JobMaster(
                new MasterSettings(
                        dir.resolve("master"),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1),
                        1 << 20,
                        4,
                        10,
                        Duration.ZERO,
                        FileSystemRegistry.local(),
                        SpeculationPolicy.OFF,
                        ResplitPolicy.OFF,
                        PartitionPlanner.OFF),
                Clock.system());
        List<RpcService> services = master.services(new JobAccess(Admins.of(Set.of("root")))).stream()
                .<RpcService>map(GrpcService::of)
                .toList();
        server = RpcServer.start("127.0.0.1", 0, services, security);
        return server.endpoint();
    }

    private JobStatus submit(BatchClient client) throws Exception {
        Path input = dir.resolve("input.txt");
        if (!Files.exists(input)) Files.writeString(input, "a b c\n");
        JobSpec spec = JobSpec.builder("owned")
                .input(input.toString())
                .output(dir.resolve("out-" + ++outputs).toString())
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(dev.cairn.batch.Reducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .build();
        return client.submit(spec, jar("dev/cairn/batch/Mapper.class"), "owned.jar");
    }

    @Test
    void theOwnerIsTheUserOfTheCertificateAndOnlyTheyAndAdminsSeeTheJob() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        String endpoint = start(pki.node("master"));
        try (BatchClient alice = BatchClient.connect(endpoint, pki.user("alice"));
                BatchClient bob = BatchClient.connect(endpoint, pki.user("bob"));
                BatchClient root = BatchClient.connect(endpoint, pki.user("root"));
                BatchClient node = BatchClient.connect(endpoint, pki.node("worker-1"))) {
            JobStatus submitted = submit(alice);
            String id = submitted.jobId();
            // The client sent its user.name too; a secure master goes by the certificate.
            assertThat(submitted.owner()).isEqualTo("alice");
            assertThat(alice.status(id).owner()).isEqualTo("alice");
            assertThat(alice.list()).extracting(JobStatus::jobId).containsExactly(id);

            assertThat(bob.list()).as("bob's list").isEmpty();
            JobStatus bobs = submit(bob);
            assertThat(bob.list()).extracting(JobStatus::jobId).containsExactly(bobs.jobId());
            assertThat(alice.list()).extracting(JobStatus::jobId).containsExactly(id);

            assertThat(root.list()).extracting(JobStatus::owner).containsExactly("alice", "bob");
            assertThat(node.list()).extracting(JobStatus::jobId).containsExactly(id, bobs.jobId());
            assertThat(root.status(id).owner()).isEqualTo("alice");
        }
    }

    @Test
    void anotherUserIsRefusedViewAndCancelByNameAndTheJobIsLeftRunning() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        String endpoint = start(pki.node("master"));
        try (BatchClient alice = BatchClient.connect(endpoint, pki.user("alice"));
                BatchClient bob = BatchClient.connect(endpoint, pki.user("bob"));
                Channels bobChannels = new Channels(pki.user("bob"))) {
            String id = submit(alice).jobId();
            assertThatThrownBy(() -> bob.status(id))
                    .isInstanceOfSatisfying(
                            RemoteException.class, e -> assertThat(e.code()).isEqualTo("PERMISSION_DENIED"))
                    .hasMessage("permission denied: user bob may not view job " + id);
            assertThatThrownBy(() -> bob.cancel(id))
                    .isInstanceOfSatisfying(
                            RemoteException.class, e -> assertThat(e.code()).isEqualTo("PERMISSION_DENIED"))
                    .hasMessage("permission denied: user bob may not cancel job " + id);
            assertThatThrownBy(() -> Rpc.call(
                            endpoint,
                            "GetJobJar",
                            () -> JobMasterGrpc.newBlockingStub(bobChannels.get(endpoint))
                                    .getJobJar(dev.cairn.batch.internal.proto.JobRef.newBuilder()
                                            .setJobId(id)
                                            .build())))
                    .hasMessage("permission denied: user bob may not view job " + id);
            assertThat(alice.status(id).state()).as("nothing changed").isEqualTo(JobState.RUNNING);
            assertThat(Files.exists(dir.resolve("master/jobs/" + id + "/job.jar")))
                    .as("the job's jar is still kept")
                    .isTrue();
            // An unknown job is still just unknown.
            assertThatThrownBy(() -> bob.status("job-9999"))
                    .isInstanceOfSatisfying(
                            RemoteException.class, e -> assertThat(e.code()).isEqualTo("NOT_FOUND"));
        }
    }

    @Test
    void theOwnerAndAnAdminMayCancel() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        String endpoint = start(pki.node("master"));
        try (BatchClient alice = BatchClient.connect(endpoint, pki.user("alice"));
                BatchClient root = BatchClient.connect(endpoint, pki.user("root"))) {
            String first = submit(alice).jobId();
            String second = submit(alice).jobId();
            assertThat(alice.cancel(first).state()).isEqualTo(JobState.CANCELLED);
            JobStatus byAdmin = root.cancel(second);
            assertThat(byAdmin.state()).isEqualTo(JobState.CANCELLED);
            assertThat(byAdmin.owner()).as("still alice's").isEqualTo("alice");
        }
    }

    @Test
    void tasksCarryTheOwnerAndAUserCannotPassForAWorker() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        String endpoint = start(pki.node("master"));
        try (BatchClient alice = BatchClient.connect(endpoint, pki.user("alice"));
                Channels bob = new Channels(pki.user("bob"));
                Channels worker = new Channels(pki.node("w1"))) {
            submit(alice);
            RegisterWorkerRequest register = RegisterWorkerRequest.newBuilder()
                    .setWorkerId("w1")
                    .setEndpoint("w1:1")
                    .setSlots(1)
                    .build();
            HeartbeatRequest heartbeat = HeartbeatRequest.newBuilder()
                    .setWorkerId("w1")
                    .setFreeSlots(1)
                    .build();
            assertThatThrownBy(() -> Rpc.call(
                            endpoint,
                            "RegisterWorker",
                            () -> JobMasterGrpc.newBlockingStub(bob.get(endpoint))
                                    .registerWorker(register)))
                    .hasMessage("permission denied: user bob may not register as a worker: only nodes may");
            Rpc.call(
                    endpoint,
                    "RegisterWorker",
                    () -> JobMasterGrpc.newBlockingStub(worker.get(endpoint)).registerWorker(register));
            assertThatThrownBy(() -> Rpc.call(
                            endpoint,
                            "Heartbeat",
                            () -> JobMasterGrpc.newBlockingStub(bob.get(endpoint))
                                    .heartbeat(heartbeat)))
                    .hasMessageStartingWith("permission denied: user bob may not heartbeat as a worker");
            List<TaskAssignment> launched = Rpc.call(
                            endpoint,
                            "Heartbeat",
                            () -> JobMasterGrpc.newBlockingStub(worker.get(endpoint))
                                    .heartbeat(heartbeat))
                    .getLaunchList();
            assertThat(launched)
                    .isNotEmpty()
                    .allSatisfy(a -> assertThat(a.getOwner()).isEqualTo("alice"));
        }
    }

    @Test
    void onAPlainTextMasterTheOwnerIsTheClaimedUserAndNothingIsEnforced() throws Exception {
        String endpoint = start(TransportSecurity.plain());
        try (BatchClient client = BatchClient.connect(endpoint);
                BatchClient other = BatchClient.connect(endpoint)) {
            JobStatus s = submit(client);
            assertThat(s.owner()).isEqualTo(System.getProperty("user.name"));
            assertThat(other.list()).extracting(JobStatus::jobId).containsExactly(s.jobId());
            assertThat(other.cancel(s.jobId()).state()).isEqualTo(JobState.CANCELLED);
        }
    }

    private static byte[] jar(String... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String e : entries) {
                zip.putNextEntry(new ZipEntry(e));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
