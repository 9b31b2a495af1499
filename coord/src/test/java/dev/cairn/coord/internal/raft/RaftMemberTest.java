package dev.cairn.coord.internal.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.testing.FileWalks;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three Ratis members on loopback in this JVM, with a summing state: replication, fail-over, recovery, snapshots. */
class RaftMemberTest {
    @TempDir
    Path dir;

    private final List<RaftMember> running = new ArrayList<>();

    /** Sums 8-byte entries; replies with the running total; remembers the last index applied. */
    static final class Sum implements ReplicatedState {
        volatile long total;
        volatile long lastIndex;

        @Override
        public byte[] apply(long index, byte[] entry) {
            assertThat(index).as("entries arrive in log order").isGreaterThan(lastIndex);
            lastIndex = index;
            total += ByteBuffer.wrap(entry).getLong();
            return ByteBuffer.allocate(8).putLong(total).array();
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            DataOutputStream d = new DataOutputStream(out);
            d.writeLong(total);
            d.writeLong(lastIndex);
            d.flush();
        }

        @Override
        public void readSnapshot(long index, InputStream in) throws IOException {
            DataInputStream d = new DataInputStream(in);
            total = d.readLong();
            lastIndex = d.readLong();
        }
    }

    @AfterEach
    void stop() throws IOException {
        for (RaftMember m : running) m.close();
    }

    static int freePort() throws IOException {
        return FreePorts.pick("127.0.0.1");
    }

    private RaftMember start(RaftPeerAddress self, List<RaftPeerAddress> peers, Sum state) throws IOException {
        RaftMember m = RaftMember.start(
                new RaftMember.Settings(
                        self, peers, dir.resolve(self.id()), 20, Duration.ofMillis(300), Duration.ofSeconds(10)),
                state);
        running.add(m);
        return m;
    }

    private static byte[] entry(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long propose(RaftMember m, long v) throws Exception {
        return ByteBuffer.wrap(m.propose(entry(v)).get(30, TimeUnit.SECONDS)).getLong();
    }

    @Test
    void replicatesSurvivesLeaderLossAndRecoversFromSnapshotAndLog() throws Exception {
        List<RaftPeerAddress> peers = new ArrayList<>();
        for (String id : List.of("c1", "c2", "c3")) peers.add(new RaftPeerAddress(id, "127.0.0.1", freePort()));
        Sum[] states = {new Sum(), new Sum(), new Sum()};
        RaftMember[] members = new RaftMember[3];
        for (int i = 0; i < 3; i++) members[i] = start(peers.get(i), peers, states[i]);

        long expected = 0;
        for (int i = 1; i <= 60; i++) {
            expected += i;
            assertThat(propose(members[i % 3], i)).isEqualTo(expected);
        }
        long total = expected;
        await().atMost(Duration.ofSeconds(20)).until(() -> Stream.of(states).allMatch(s -> s.total == total));

        int leader = await().atMost(Duration.ofSeconds(20)).until(() -> indexOfLeader(members), i -> i >= 0);
        members[leader].close();
        running.remove(members[leader]);
        int survivor = (leader + 1) % 3;
        for (int i = 0; i < 40; i++) {
            expected += 1000;
            assertThat(propose(members[survivor], 1000)).isEqualTo(expected);
        }

        // Snapshots are written in the background: wait for one to be on disk.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> names = FileWalks.query(
                    dir.resolve(peers.get(survivor).id()),
                    files -> files.map(p -> p.getFileName().toString()).toList());
            assertThat(names).as("snapshots taken").anyMatch(n -> n.startsWith("snapshot."));
        });
        assertThat(members[survivor].members()).extracting(RaftPeerAddress::id).containsExactly("c1", "c2", "c3");

        // Everything stops; every member comes back with an empty in-memory state and must rebuild
        // it from its own snapshot and log (what was acknowledged was on disk), then serve again.
        for (RaftMember m : List.copyOf(running)) m.close();
        running.clear();
        Sum[] reborn = {new Sum(), new Sum(), new Sum()};
        for (int i = 0; i < 3; i++) members[i] = start(peers.get(i), peers, reborn[i]);
        assertThat(propose(members[leader], 1)).isEqualTo(expected + 1);
        long finalTotal = expected + 1;
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        Stream.of(reborn).filter(s -> s.total == finalTotal).count() >= 2);
    }

    @Test
    void followerThatMissedEntriesCatchesUpAfterRestart() throws Exception {
        List<RaftPeerAddress> peers = new ArrayList<>();
        for (String id : List.of("f1", "f2", "f3")) peers.add(new RaftPeerAddress(id, "127.0.0.1", freePort()));
        Sum[] states = {new Sum(), new Sum(), new Sum()};
        RaftMember[] members = new RaftMember[3];
        for (int i = 0; i < 3; i++) members[i] = start(peers.get(i), peers, states[i]);
        long expected = 0;
        for (int i = 1; i <= 10; i++) expected = propose(members[0], 1);
        int leader = await().atMost(Duration.ofSeconds(20)).until(() -> indexOfLeader(members), i -> i >= 0);
        int follower = (leader + 1) % 3;
        members[follower].close();
        running.remove(members[follower]);
        for (int i = 0; i < 50; i++) expected = propose(members[leader], 1);
        Sum reborn = new Sum();
        members[follower] = start(peers.get(follower), peers, reborn);
        long total = expected;
        await().atMost(Duration.ofSeconds(30)).until(() -> reborn.total == total);
    }

    @Test
    void membersAreAddedAndRemovedByJointConsensusWhileProposalsGoOn() throws Exception {
        RaftPeerAddress a = new RaftPeerAddress("j1", "127.0.0.1", freePort());
        RaftPeerAddress b = new RaftPeerAddress("j2", "127.0.0.1", freePort());
        RaftPeerAddress c = new RaftPeerAddress("j3", "127.0.0.1", freePort());
        Sum sa = new Sum();
        Sum sb = new Sum();
        Sum sc = new Sum();
        RaftMember ma = start(a, List.of(a), sa);
        long expected = 0;
        for (int i = 0; i < 10; i++) expected = propose(ma, 1);

        // Newcomers start knowing the whole intended group but with join: they wait to be added.
        RaftMember mb = RaftMember.start(
                new RaftMember.Settings(
                        b,
                        List.of(a, b, c),
                        dir.resolve("j2"),
                        20,
                        Duration.ofMillis(300),
                        Duration.ofSeconds(10),
                        true),
                sb);
        running.add(mb);
        RaftMember mc = RaftMember.start(
                new RaftMember.Settings(
                        c,
                        List.of(a, b, c),
                        dir.resolve("j3"),
                        20,
                        Duration.ofMillis(300),
                        Duration.ofSeconds(10),
                        true),
                sc);
        running.add(mc);
        // A proposer keeps writing throughout the change; none of its proposals may fail.
        java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong(expected);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) acknowledged.set(propose(mb.isLeader() ? mb : ma, 1));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        ma.setMembers(List.of(a, b, c));
        // The leader returns once the new configuration is committed; the newcomer learns it when
        // the commit reaches it, a moment later.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(mc.members()).extracting(RaftPeerAddress::id).containsExactly("j1", "j2", "j3"));
        long afterAdd = propose(ma, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> sc.total >= afterAdd && sb.total >= afterAdd);

        // Remove the original member: the two newcomers carry on alone.
        stop.set(true);
        writer.join(30_000);
        assertThat(writer.isAlive()).isFalse();
        ma.setMembers(List.of(b, c));
        long before = Math.max(sb.total, sc.total);
        RaftMember survivor = await().atMost(Duration.ofSeconds(30))
                .until(() -> mb.isLeader() ? mb : mc.isLeader() ? mc : null, java.util.Objects::nonNull);
        long total = propose(survivor, 5);
        assertThat(total).isGreaterThanOrEqualTo(before + 5).isGreaterThan(acknowledged.get());
        assertThat(survivor.members()).extracting(RaftPeerAddress::id).containsExactly("j2", "j3");
    }

    @Test
    void aProposalForwardedToALeaderThatDiesIsRetriedWithTheNextLongBeforeTheRequestTimeout() throws Exception {
        List<RaftPeerAddress> peers = new ArrayList<>();
        for (String id : List.of("d1", "d2", "d3")) peers.add(new RaftPeerAddress(id, "127.0.0.1", freePort()));
        RaftMember[] members = new RaftMember[3];
        for (int i = 0; i < 3; i++) {
            // A request timeout of a minute: only the leader-change path can answer within the 20 s below.
            members[i] = RaftMember.start(
                    new RaftMember.Settings(
                            peers.get(i),
                            peers,
                            dir.resolve(peers.get(i).id()),
                            1000,
                            Duration.ofMillis(300),
                            Duration.ofSeconds(60)),
                    new Sum());
            running.add(members[i]);
        }
        int leader = await().atMost(Duration.ofSeconds(20)).until(() -> indexOfLeader(members), i -> i >= 0);
        // Both followers' clients now have a connection to the leader.
        propose(members[(leader + 1) % 3], 1);
        long total = propose(members[(leader + 2) % 3], 1);
        members[leader].close();
        running.remove(members[leader]);
        members[leader] = null;
        int next = await().atMost(Duration.ofSeconds(20)).until(() -> indexOfLeader(members), i -> i >= 0);
        int follower = 3 - leader - next;
        // Ratis' client still takes the old leader for the leader and would send this over its dead
        // connection, then wait out its request timeout; the member closed that connection when it
        // learned of the new leader, so the client reconnects, fails, and finds the new one.
        assertThat(ByteBuffer.wrap(members[follower].propose(entry(1)).get(20, TimeUnit.SECONDS))
                        .getLong())
                .isEqualTo(total + 1);
    }

    @Test
    void badInputOnTheRaftPortCostsOnlyThatConnection() throws Exception {
        RaftPeerAddress self = new RaftPeerAddress("b1", "127.0.0.1", freePort());
        RaftMember m = startAlone(self);
        try (java.net.Socket s = raftConnection(self)) {
            // Answered with an error; the connection stays.
            s.getOutputStream().write(BODYLESS_REQUEST);
            assertRefusedAsBodyless(RaftNettyServerReplyProto.parseDelimitedFrom(s.getInputStream()));
            // A length no frame may have: the member drops this connection and nothing else.
            s.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2, 3});
            assertThat(s.getInputStream().read()).as("connection closed").isEqualTo(-1);
        }
        try (java.net.Socket s = raftConnection(self)) {
            s.getOutputStream()
                    .write("not protobuf at all, just noise".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("connection closed").isEqualTo(-1);
        }
        assertThat(propose(m, 5)).isEqualTo(10);
    }

    @Test
    void aCommitNoticeIsHandledLikeAHeartbeatButNeverAnswered() throws Exception {
        RaftPeerAddress self = new RaftPeerAddress("h1", "127.0.0.1", freePort());
        RaftMember m = startAlone(self);
        try (java.net.Socket s = raftConnection(self)) {
            var out = s.getOutputStream();
            // From a stranger of an old term: refused either way, but only the plain heartbeat is answered.
            heartbeat(7).writeDelimitedTo(out);
            RaftNettyServerReplyProto answered = RaftNettyServerReplyProto.parseDelimitedFrom(s.getInputStream());
            assertThat(answered.getRaftNettyServerReplyCase())
                    .isNotEqualTo(RaftNettyServerReplyProto.RaftNettyServerReplyCase.RAFTNETTYSERVERREPLY_NOT_SET);
            heartbeat(8 | PipelinedLogAppender.ONE_WAY).writeDelimitedTo(out);
            // The next reply on the connection is the one to the request after the notice.
            out.write(BODYLESS_REQUEST);
            assertRefusedAsBodyless(RaftNettyServerReplyProto.parseDelimitedFrom(s.getInputStream()));
        }
        assertThat(propose(m, 5)).isEqualTo(10);
    }

    /** A one-member group that has committed a first entry (5). */
    private RaftMember startAlone(RaftPeerAddress self) throws Exception {
        RaftMember m = start(self, List.of(self), new Sum());
        assertThat(propose(m, 5)).isEqualTo(5);
        return m;
    }

    /** A raw connection to a member's Raft port; reads give up after 10 s. */
    private static java.net.Socket raftConnection(RaftPeerAddress member) throws IOException {
        java.net.Socket s = new java.net.Socket("127.0.0.1", member.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * A well-framed request without a body (only a field no request has), which a member answers
     * with an error. (An empty frame would begin a forwarding preface.)
     */
    private static final byte[] BODYLESS_REQUEST = {3, (byte) 0xa0, 0x06, 0x01};

    private static void assertRefusedAsBodyless(RaftNettyServerReplyProto reply) {
        assertThat(reply.getRaftNettyServerReplyCase())
                .isEqualTo(RaftNettyServerReplyProto.RaftNettyServerReplyCase.EXCEPTIONREPLY);
        assertThat(ProtoUtils.toObject(reply.getExceptionReply().getException()).toString())
                .contains("request without a body");
    }

    private static RaftNettyServerRequestProto heartbeat(long callId) {
        var header = RaftRpcRequestProto.newBuilder()
                .setRequestorId(ByteString.copyFromUtf8("stranger"))
                .setReplyId(ByteString.copyFromUtf8("h1"))
                .setRaftGroupId(ProtoUtils.toRaftGroupIdProtoBuilder(RaftGroupId.randomId()))
                .setCallId(callId);
        return RaftNettyServerRequestProto.newBuilder()
                .setAppendEntriesRequest(AppendEntriesRequestProto.newBuilder()
                        .setServerRequest(header)
                        .setLeaderTerm(0)
                        .setLeaderCommit(0))
                .build();
    }

    @Test
    void segmentsForwardedToAMemberReachItsOwnerAndBadStreamsCostOnlyTheirConnection() throws Exception {
        RaftPeerAddress self = new RaftPeerAddress("f1", "127.0.0.1", freePort());
        java.util.concurrent.BlockingQueue<byte[]> received = new java.util.concurrent.LinkedBlockingQueue<>();
        RaftMember m = RaftMember.start(
                new RaftMember.Settings(
                        self, List.of(self), dir.resolve("f1"), 20, Duration.ofMillis(300), Duration.ofSeconds(10)),
                new Sum(),
                new RaftMember.Forwarding() {
                    @Override
                    public void forwarded(byte[] segment) {
                        if (segment[0] == 'X') throw new IllegalArgumentException("malformed segment: test");
                        received.add(segment);
                    }

                    @Override
                    public void leaderChanged(String leaderId) {}
                });
        running.add(m);
        assertThat(propose(m, 5)).isEqualTo(5);

        try (SegmentForwarder forwarder = new SegmentForwarder(1000, 10_000)) {
            java.net.InetSocketAddress address = new java.net.InetSocketAddress("127.0.0.1", self.port());
            assertThat(forwarder.trySend("f1", List.of(new byte[] {9})))
                    .as("not connected: only send connects")
                    .isFalse();
            forwarder.send("f1", address, List.of(new byte[] {1, 2}, new byte[] {3}));
            assertThat(forwarder.trySend("f1", List.of(new byte[] {4, 5, 6}))).isTrue();
            forwarder.flush();
            assertThat(forwarder.trySend("f2", List.of(new byte[] {9})))
                    .as("connected to another leader")
                    .isFalse();
            forwarder.send("f1", address, List.of(new byte[] {7}));
            assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly(1, 2);
            assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly(3);
            assertThat(received.poll(10, TimeUnit.SECONDS))
                    .as("in order, on one connection")
                    .containsExactly(4, 5, 6);
            assertThat(received.poll(10, TimeUnit.SECONDS)).containsExactly(7);
        }
        for (byte[] bad : List.of(
                new byte[] {0, 'C', 'S', 'E', 'X'}, // not the preface
                new byte[] {0, 'C', 'S', 'E', 'G', 0, 0, 0, 0}, // an empty segment
                new byte[] {0, 'C', 'S', 'E', 'G', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff
                }, // a length no frame may have
                new byte[] {0, 'C', 'S', 'E', 'G', 0, 0, 0, 1, 'X'})) { // refused by the owner
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", self.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(bad);
                assertThat(s.getInputStream().read()).as("connection closed").isEqualTo(-1);
            }
        }
        assertThat(received).isEmpty();
        assertThat(propose(m, 5)).as("the member serves on").isEqualTo(10);
    }

    private static int indexOfLeader(RaftMember[] members) {
        for (int i = 0; i < members.length; i++) if (members[i] != null && members[i].isLeader()) return i;
        return -1;
    }
}
