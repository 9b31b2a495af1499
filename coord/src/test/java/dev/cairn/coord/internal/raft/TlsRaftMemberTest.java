package dev.cairn.coord.internal.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft members whose traffic is mutual TLS, beyond elections and appends: a membership change
 * (the leader's Raft client sends it over {@link SocketClientRpc}), newcomers catching up from a
 * snapshot, and proposals a follower sends its leader through its Raft client.
 */
class TlsRaftMemberTest {
    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private final List<RaftMember> running = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RaftMember m : running) m.close();
    }

    private RaftMember start(
            SecurityLayout layout, RaftPeerAddress self, List<RaftPeerAddress> peers, boolean join, ReplicatedState s)
            throws Exception {
        TransportSecurity security =
                TransportSecurity.mutualTls(layout.nodeMaterial(self.id(), Duration.ofSeconds(30), Clock.system()));
        RaftMember m = RaftMember.start(
                new RaftMember.Settings(
                        self,
                        peers,
                        dir.resolve(self.id()),
                        20,
                        Duration.ofMillis(300),
                        Duration.ofSeconds(10),
                        join,
                        RaftMember.Settings.DEFAULT_LOG_SEGMENT_BYTES,
                        security),
                s);
        running.add(m);
        return m;
    }

    private static long propose(RaftMember m, long v) throws Exception {
        return ByteBuffer.wrap(
                        m.propose(ByteBuffer.allocate(8).putLong(v).array()).get(30, TimeUnit.SECONDS))
                .getLong();
    }

    @Test
    void membersJoinCatchUpFromASnapshotAndProposeThroughTheLeaderOverTls() throws Exception {
        SecurityLayout layout = SecurityLayout.under(dir.resolve("material"));
        CertificateAuthority ca = layout.initialize("test", YEAR, Clock.system());
        List<RaftPeerAddress> peers = new ArrayList<>();
        for (String id : List.of("t1", "t2", "t3")) {
            ca.issueNode(id, List.of("localhost", "127.0.0.1"), YEAR).write(layout.node(id));
            peers.add(new RaftPeerAddress(id, "127.0.0.1", FreePorts.pick("127.0.0.1")));
        }
        RaftMemberTest.Sum sa = new RaftMemberTest.Sum();
        RaftMemberTest.Sum sb = new RaftMemberTest.Sum();
        RaftMemberTest.Sum sc = new RaftMemberTest.Sum();
        RaftMember a = start(layout, peers.get(0), List.of(peers.get(0)), false, sa);
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
        long total = 0;
        // Past a few snapshots (every 20 entries): the newcomers must be sent one.
        for (int i = 0; i < 60; i++) total = propose(a, 1);
        RaftMember b = start(layout, peers.get(1), peers, true, sb);
        RaftMember c = start(layout, peers.get(2), peers, true, sc);
        a.setMembers(peers);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() ->
                        assertThat(c.members()).extracting(RaftPeerAddress::id).containsExactly("t1", "t2", "t3"));
        // A follower's proposal goes to the leader through its Raft client, over TLS.
        RaftMember follower = b.isLeader() ? c : b;
        long after = propose(follower, 5);
        assertThat(after).isEqualTo(total + 5);
        await().atMost(Duration.ofSeconds(20)).until(() -> sb.total == after && sc.total == after && sa.total == after);
    }
}
