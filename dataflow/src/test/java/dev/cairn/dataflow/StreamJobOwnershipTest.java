package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.Admins;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.RpcServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream jobs belong to their submitters, over real gRPC with real certificates: the owner is the
 * certificate's user; another user may not see, cancel or savepoint the job (PERMISSION_DENIED
 * naming it and the right) and it is left as it was; lists show a user their own jobs; an admin
 * may do everything. The master has no workers, so its jobs wait SCHEDULED.
 */
class StreamJobOwnershipTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheOwnerAndAdminsSeeAndCancelAStreamJob() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        try (StreamMaster master = StreamMaster.create(
                        new StreamMaster.Settings(
                                dir.resolve("stream"),
                                null,
                                Duration.ofSeconds(2),
                                Duration.ofMillis(50),
                                Duration.ofMillis(100),
                                FileSystemRegistry.local()),
                        StreamJobRegistry.inMemory(),
                        Optional::empty,
                        Clock.system(),
                        new SimpleMeterRegistry(),
                        new JobAccess(Admins.of(Set.of("root"))));
                RpcServer server = RpcServer.start("127.0.0.1", 0, master.services(), pki.node("master"));
                StreamClient alice = StreamClient.connect(server.endpoint(), pki.user("alice"));
                StreamClient bob = StreamClient.connect(server.endpoint(), pki.user("bob"));
                StreamClient root = StreamClient.connect(server.endpoint(), pki.user("root"))) {
            master.activate();
            Dataflow flow = Dataflow.create();
            flow.fromCollection(List.of("a", "b"), Codecs.STRING).writeAsTextExactlyOnce(dir.resolve("out"));
            StreamJobStatus submitted = alice.submit(flow, "q", new byte[0], "none", StreamJobSettings.none());
            String id = submitted.jobId();
            assertThat(submitted.owner()).isEqualTo("alice");
            assertThat(alice.list()).extracting(StreamJobStatus::jobId).containsExactly(id);
            assertThat(bob.list()).isEmpty();

            assertThatThrownBy(() -> bob.status(id))
                    .isInstanceOfSatisfying(
                            RemoteException.class, e -> assertThat(e.code()).isEqualTo("PERMISSION_DENIED"))
                    .hasMessage("permission denied: user bob may not view job " + id);
            assertThatThrownBy(() -> bob.cancel(id)).hasMessage("permission denied: user bob may not cancel job " + id);
            assertThatThrownBy(() -> bob.savepoint(id, null, true))
                    .hasMessage("permission denied: user bob may not cancel job " + id);
            assertThat(alice.status(id).state()).as("nothing changed").isEqualTo(StreamJobStatus.State.SCHEDULED);

            assertThat(root.list()).extracting(StreamJobStatus::owner).containsExactly("alice");
            StreamJobStatus cancelled = root.cancel(id);
            assertThat(cancelled.state()).isEqualTo(StreamJobStatus.State.CANCELLED);
            assertThat(cancelled.owner()).isEqualTo("alice");
        }
    }
}
