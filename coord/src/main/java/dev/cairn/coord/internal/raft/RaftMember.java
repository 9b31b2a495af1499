package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One member of the coord Raft group, run with Apache Ratis over its Netty transport. Owns a Ratis server, the
 * {@link ReplicatedState} it applies to, and a client for proposing entries from this member
 * (Ratis routes proposals to the leader and retries across leader changes).
 *
 * <p>Durability: Ratis writes and fsyncs log entries before acknowledging them (unsafe flush is
 * off); a proposal completes only once the entry is committed on a majority and applied here.
 * Disk stays bounded: the state is snapshotted every {@code snapshotEvery} entries, and the log
 * is purged up to the latest snapshot; a follower that falls behind the purged log is sent the
 * snapshot by the leader.
 */
public final class RaftMember implements AutoCloseable {
    /** Every Cairn coord group has this id, so members started from configuration agree on it. */
    static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("cairn-coord".getBytes(StandardCharsets.UTF_8)));

    /**
     * How a member runs: its address, its group, its storage and its timings.
     * @param snapshotEvery entries applied between automatic snapshots
     * @param electionTimeout the minimum election timeout; the maximum is twice it
     * @param peers the group as this member knows it at first start (every member, itself included)
     * @param join  this member is being added to a running group: on first start it takes no part in
     *              elections until the group's leader adds it ({@link #setMembers}); as Ratis
     *              requires, since a new member started with the new configuration could elect a
     *              leader of its own with the other newcomers
     * @param logSegmentBytes size at which a log segment is closed and a new one begun; the log is
     *              purged up to the last snapshot a closed segment at a time
     * @param security how members connect to each other: with mutual TLS, every connection to and
     *              from the Raft port is TLS, and only certificates of nodes are taken on it
     */
    public record Settings(
            RaftPeerAddress self,
            List<RaftPeerAddress> peers,
            Path dir,
            long snapshotEvery,
            Duration electionTimeout,
            Duration requestTimeout,
            boolean join,
            long logSegmentBytes,
            TransportSecurity security) {
        public static final long DEFAULT_LOG_SEGMENT_BYTES = 8L << 20;

        public Settings {
            if (logSegmentBytes < 1024)
                throw new IllegalArgumentException("log segment size must be at least 1k: " + logSegmentBytes);
            java.util.Objects.requireNonNull(security, "security");
        }

        /** Settings of a member whose Raft traffic is plain text. */
        public Settings(
                RaftPeerAddress self,
                List<RaftPeerAddress> peers,
                Path dir,
                long snapshotEvery,
                Duration electionTimeout,
                Duration requestTimeout,
                boolean join,
                long logSegmentBytes) {
            this(
                    self,
                    peers,
                    dir,
                    snapshotEvery,
                    electionTimeout,
                    requestTimeout,
                    join,
                    logSegmentBytes,
                    TransportSecurity.plain());
        }

        public Settings(
                RaftPeerAddress self,
                List<RaftPeerAddress> peers,
                Path dir,
                long snapshotEvery,
                Duration electionTimeout,
                Duration requestTimeout,
                boolean join) {
            this(self, peers, dir, snapshotEvery, electionTimeout, requestTimeout, join, DEFAULT_LOG_SEGMENT_BYTES);
        }

        public Settings(
                RaftPeerAddress self,
                List<RaftPeerAddress> peers,
                Path dir,
                long snapshotEvery,
                Duration electionTimeout,
                Duration requestTimeout) {
            this(self, peers, dir, snapshotEvery, electionTimeout, requestTimeout, false);
        }
    }

    /**
     * What a member's owner does with the changes other members forward to it
     * ({@link #forward}), and how it learns of new leaders.
     */
    public interface Forwarding {
        Forwarding NONE = new Forwarding() {
            @Override
            public void forwarded(byte[] segment) {
                throw new IllegalArgumentException("this member takes no forwarded changes");
            }

            @Override
            public void leaderChanged(String leaderId) {}
        };

        /**
         * A segment another member forwarded, to go into a log entry; must not block.
         *
         * @throws IllegalArgumentException when the segment is malformed: the forwarding connection is closed
         */
        void forwarded(byte[] segment);

        /** This member learned of a new leader ({@code null}: none known); called on Ratis' threads, must not block. */
        void leaderChanged(String leaderId);
    }

    private final Settings settings;
    private final RaftClient client;
    private final RaftGroup group;
    /** The identity of proposals this member submits to itself as the leader (Ratis' retry cache keys on it). */
    private final ClientId localClientId = ClientId.randomId();

    private final AtomicLong localCallIds = new AtomicLong();
    private final SegmentForwarder forwarder;
    /** Set once, by {@link #start(ReplicatedState, Forwarding)}, before Ratis runs anything. */
    private volatile RaftServer server;
    /** The leader the forwarder last looked up, and its Raft address. */
    private volatile LeaderAddress leaderAddress;

    private record LeaderAddress(String id, InetSocketAddress address) {}

    private RaftMember(Settings settings) {
        if (settings.peers().stream()
                .noneMatch(p -> p.id().equals(settings.self().id()))) {
            throw new IllegalArgumentException(
                    "coord member " + settings.self().id() + " is not among the peers " + settings.peers());
        }
        this.settings = settings;
        this.group = RaftGroup.valueOf(
                GROUP_ID, settings.peers().stream().map(RaftMember::toPeer).toList());
        // The client first: the state machine tells it when a leader is replaced.
        RaftProperties clientProperties = clientProperties(settings);
        RaftClient.Builder builder = RaftClient.newBuilder()
                .setProperties(clientProperties)
                .setRaftGroup(group)
                .setLeaderId(null);
        // Ratis' Netty client cannot do TLS: with it on, the client speaks through Cairn's sockets.
        if (settings.security().enabled())
            builder.setClientRpc(new SocketClientRpc(clientProperties, settings.security()));
        this.client = builder.build();
        this.forwarder = new SegmentForwarder(
                (int) Math.max(100, settings.requestTimeout().toMillis() / 4),
                settings.requestTimeout().toMillis(),
                settings.security());
    }

    /**
     * A member that is not started yet: what proposes through it (the coord's batcher) can be
     * built with it before {@link #start(ReplicatedState, Forwarding)} hands that same thing the
     * segments other members forward — parts built in order, so no part waits for another to be
     * set. Until started it knows no leader and proposes nothing.
     */
    public static RaftMember create(Settings settings) {
        return new RaftMember(settings);
    }

    /** Starts a member that takes no forwarded changes. */
    public static RaftMember start(Settings settings, ReplicatedState state) throws IOException {
        return start(settings, state, Forwarding.NONE);
    }

    /** Creates and starts a member. */
    public static RaftMember start(Settings settings, ReplicatedState state, Forwarding forwarding) throws IOException {
        RaftMember member = create(settings);
        member.start(state, forwarding);
        return member;
    }

    /**
     * Starts the Raft server: formats its storage the first time, recovers it afterwards. From
     * here on, other members' forwarded segments and news of leaders go to {@code forwarding}
     * (on Ratis' and the Raft port's threads). Called once; on failure the member is closed.
     */
    public void start(ReplicatedState state, Forwarding forwarding) throws IOException {
        if (server != null)
            throw new IllegalStateException("coord member " + settings.self().id() + " is already started");
        RaftServer built;
        try {
            RaftProperties props = properties(settings);
            Files.createDirectories(settings.dir());
            boolean fresh;
            try (var entries = Files.list(settings.dir())) {
                fresh = entries.findAny().isEmpty();
            }
            // A joining member starts with an empty configuration; once it has storage, Ratis recovers the
            // configuration from it.
            RaftGroup initial = settings.join() && fresh ? RaftGroup.valueOf(GROUP_ID, List.of()) : group;
            built = RaftServer.newBuilder()
                    .setServerId(RaftPeerId.valueOf(settings.self().id()))
                    .setGroup(initial)
                    .setStateMachine(new RatisStateMachine(state, (left, now) -> {
                        if (left != null) forgetLeader(client, left);
                        // A forwarding stream to a replaced leader is cut, so that a send stuck on it returns.
                        forwarder.disconnect();
                        forwarding.leaderChanged(now == null ? null : now.toString());
                    }))
                    .setProperties(props)
                    // This member's Raft port hands forwarded segments to its owner: no process-wide registry.
                    .setParameters(CommitNotifyingRpc.parameters(forwarding, settings.security()))
                    .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER)
                    .build();
            server = built;
            built.start();
        } catch (IOException | RuntimeException e) {
            client.close();
            forwarder.close();
            throw e;
        }
    }

    /** The Ratis server, once started. */
    private RaftServer server() {
        RaftServer s = server;
        if (s == null)
            throw new IllegalStateException("coord member " + settings.self().id() + " is not started");
        return s;
    }

    /**
     * Fails, so that Ratis' client retries them with the new leader, the proposals this member
     * forwarded to a leader that is gone. Ratis' Netty client fails a request to a dead peer only
     * after the request timeout (it does not watch the connection close), and its requests are
     * ordered, so until then every proposal of this member waited — past the 4 s after which a
     * ZooKeeper client with a 6 s session gives up on its connection. Closing the connection to the
     * old leader fails them at once; retries keep their call ids, so the new leader's retry cache
     * never applies one twice. On a virtual thread: closing a channel may wait, and Ratis calls
     * this from its own threads.
     */
    private static void forgetLeader(RaftClient client, RaftPeerId previous) {
        Thread.ofVirtual()
                .name("coord-forget-leader")
                .start(() -> client.getClientRpc()
                        .handleException(previous, new IOException("leader " + previous + " was replaced"), true));
    }

    private static RaftProperties properties(Settings s) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(s.dir().toFile()));
        // Netty, not gRPC, between members: fewer copies and thread hand-offs per append (see the parent pom).
        org.apache.ratis.RaftConfigKeys.Rpc.setType(p, new CommitNotifyingRpc());
        // Followers learn commits from a heartbeat the leader sends at once (CommitNotifyingRpc),
        // not from a metadata entry every member would have to fsync.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        org.apache.ratis.netty.NettyConfigKeys.Server.setHost(p, s.self().host());
        org.apache.ratis.netty.NettyConfigKeys.Server.setPort(p, s.self().port());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(Integer.MAX_VALUE, s.snapshotEvery())));
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(s.logSegmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(s.logSegmentBytes(), 1L << 20)));
        long min = s.electionTimeout().toMillis();
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(
                p, TimeDuration.valueOf(s.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        // The least time between two appendEntries to a follower (default 1 ms); with the default,
        // a change proposed right after a commit waited out the rest of a millisecond behind the
        // message that carried it. 100 us still lets entries arriving together travel together.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.valueOf(100, TimeUnit.MICROSECONDS));
        // Growing a group of one to two adds a majority in one step; setMembers never does more than that.
        RaftServerConfigKeys.LeaderElection.setMemberMajorityAdd(p, true);
        return p;
    }

    private static RaftProperties clientProperties(Settings s) {
        RaftProperties p = new RaftProperties();
        org.apache.ratis.RaftConfigKeys.Rpc.setType(p, org.apache.ratis.rpc.SupportedRpcType.NETTY);
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(
                p, TimeDuration.valueOf(s.requestTimeout().toMillis(), TimeUnit.MILLISECONDS));
        return p;
    }

    static RaftPeer toPeer(RaftPeerAddress a) {
        return RaftPeer.newBuilder().setId(a.id()).setAddress(a.address()).build();
    }

    /**
     * Proposes an entry. Completes with the state's reply once the entry is committed and applied
     * on this member's leader; fails when no leader can be reached within the request timeout.
     */
    public CompletableFuture<byte[]> propose(byte[] entry) {
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(entry));
        if (isLeader()) {
            // On the leader, hand the entry to the local server directly: the client would send it to
            // this very process over TCP and back, a few hundred microseconds per write on loopback.
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(localClientId)
                    .setServerId(server().getId())
                    .setGroupId(GROUP_ID)
                    .setCallId(localCallIds.incrementAndGet())
                    .setMessage(message)
                    .setType(RaftClientRequest.writeRequestType())
                    .build();
            try {
                return SocketServerRpc.submitLocally(server(), request).thenCompose(reply -> {
                    if (reply.isSuccess()) return CompletableFuture.completedFuture(content(reply));
                    // Leadership moved: let the client find the new leader. Ratis also answers so for an
                    // entry appended before it stepped down, which may still commit; the state then
                    // drops the second copy, or one that comes after a later segment (the coord's AppliedSegments).
                    if (reply.getNotLeaderException() != null
                            || reply.getException() instanceof LeaderNotReadyException) {
                        return viaClient(message);
                    }
                    return CompletableFuture.failedFuture(failure(reply));
                });
            } catch (IOException e) {
                return viaClient(message);
            }
        }
        return viaClient(message);
    }

    /**
     * Sends segments of changes to the leader, which puts them in one of its log entries; nothing
     * answers (see {@link SegmentForwarder}). Blocks while the leader's socket buffer is full.
     *
     * @return the id of the leader they were sent to, or null when this member leads or knows no
     *         leader — then it proposes them itself ({@link #propose})
     * @throws IOException when the leader cannot be reached
     */
    public String forward(List<byte[]> segments) throws IOException {
        String leader = otherLeader();
        if (leader == null) return null;
        LeaderAddress known = leaderAddress;
        if (known == null || !known.id().equals(leader)) {
            RaftPeerAddress peer = members().stream()
                    .filter(p -> p.id().equals(leader))
                    .findFirst()
                    .orElse(null);
            if (peer == null)
                return null; // a leader outside the configuration this member knows: let Ratis' client find it
            known = new LeaderAddress(leader, new InetSocketAddress(peer.host(), peer.port()));
            leaderAddress = known;
        }
        forwarder.send(leader, known.address(), segments);
        return leader;
    }

    /**
     * Like {@link #forward}, but only if that needs no waiting: returns the leader's id when the
     * segments were handed to the connection to it (what the socket did not take at once waits for
     * the next {@link #forward} or {@link #flushForwarded}: {@link #forwardPending}), or null
     * when forwarding them would need a new connection or a wait — call {@link #forward} then.
     *
     * @throws IOException when the connection to the leader broke
     */
    public String tryForward(List<byte[]> segments) throws IOException {
        String leader = otherLeader();
        return leader != null && forwarder.trySend(leader, segments) ? leader : null;
    }

    /** The leader's id when another member leads, as this one knows it; null when it leads itself or knows none. */
    private String otherLeader() {
        String leader = leaderId();
        return leader == null || leader.equals(settings.self().id()) ? null : leader;
    }

    /** Whether bytes {@link #tryForward} handed over still wait to be written. */
    public boolean forwardPending() {
        return forwarder.hasUnsent();
    }

    /** Writes what {@link #tryForward} left; may block like {@link #forward}. */
    public void flushForwarded() throws IOException {
        forwarder.flush();
    }

    private CompletableFuture<byte[]> viaClient(Message message) {
        return client.async().send(message).thenApply(RaftMember::content);
    }

    private static Exception failure(RaftClientReply reply) {
        Exception e = reply.getException();
        return e != null ? e : new IOException("proposal failed: " + reply);
    }

    private static byte[] content(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(failure(reply));
        }
        return reply.getMessage().getContent().toByteArray();
    }

    /** True while this member is the leader of the group and ready to serve (its term's entry committed). */
    public boolean isLeader() {
        RaftServer s = server;
        if (s == null) return false;
        try {
            RaftServer.Division d = s.getDivision(GROUP_ID);
            return d.getInfo().isLeader() && d.getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /** The current leader's id as this member knows it, or null. */
    public String leaderId() {
        RaftServer s = server;
        if (s == null) return null;
        try {
            RaftPeerId id = s.getDivision(GROUP_ID).getInfo().getLeaderId();
            return id == null ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** The members of the group's current configuration. */
    public List<RaftPeerAddress> members() throws IOException {
        return server().getDivision(GROUP_ID).getRaftConf().getCurrentPeers().stream()
                .map(p -> {
                    String addr = p.getAddress();
                    int colon = addr.lastIndexOf(':');
                    return new RaftPeerAddress(
                            p.getId().toString(),
                            addr.substring(0, colon),
                            Integer.parseInt(addr.substring(colon + 1)));
                })
                .sorted(java.util.Comparator.comparing(RaftPeerAddress::id))
                .toList();
    }

    /**
     * Changes the group's members through Raft joint consensus; new members must be running (with
     * {@code join}). The change goes one member at a time, additions first, so that no step
     * replaces a majority of the group (Ratis' "majority-add", which can leave a group without a
     * leader); only growing a group of one takes such a step, unavoidably.
     */
    public void setMembers(List<RaftPeerAddress> target) throws IOException {
        if (target.isEmpty()) throw new IllegalArgumentException("a coord group needs at least one member");
        List<RaftPeerAddress> current = new ArrayList<>(members());
        for (RaftPeerAddress add : target) {
            if (current.stream().anyMatch(p -> p.id().equals(add.id()))) continue;
            current.add(add);
            setConfiguration(current);
        }
        for (RaftPeerAddress old : List.copyOf(current)) {
            if (target.stream().anyMatch(p -> p.id().equals(old.id()))) continue;
            current.remove(old);
            setConfiguration(current);
        }
    }

    /** One step, bounded in time: Ratis waits for new members to catch up, which a dead newcomer never does. */
    private void setConfiguration(List<RaftPeerAddress> members) throws IOException {
        CompletableFuture<RaftClientReply> call = new CompletableFuture<>();
        Thread.ofVirtual().name("coord-set-members").start(() -> {
            try {
                call.complete(client.admin()
                        .setConfiguration(
                                members.stream().map(RaftMember::toPeer).toList()));
            } catch (Throwable t) {
                call.completeExceptionally(t);
            }
        });
        long timeoutMs = 3 * settings.requestTimeout().toMillis();
        RaftClientReply reply;
        try {
            reply = call.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("membership change to " + members + " did not complete within " + timeoutMs
                    + " ms (is every new member running with coord.join?)");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("membership change to " + members + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (!reply.isSuccess())
            throw new IOException("membership change to " + members + " failed: " + reply.getException());
    }

    public RaftPeerAddress self() {
        return settings.self();
    }

    RaftGroup group() {
        return group;
    }

    @Override
    public void close() throws IOException {
        forwarder.close();
        try {
            client.close();
        } finally {
            RaftServer s = server;
            if (s != null) s.close();
        }
    }
}
