package dev.cairn.coord.internal.server;

import dev.cairn.common.security.Admins;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.RefusalLog;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.session.SessionTracker;
import dev.cairn.coord.internal.tree.Applied;
import dev.cairn.coord.internal.tree.DataTree;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import dev.cairn.coord.internal.tree.WatchEvent;
import dev.cairn.coord.internal.wire.WatchRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coord member: a Raft member holding the replicated tree, and a ZooKeeper-protocol listener
 * for clients.
 *
 * <p>Writes go to the leader, which puts every member's changes of a round in one log entry
 * stamped with its clock ({@link ProposalBatcher}), and are answered once applied here; reads are answered from this member's tree
 * (ZooKeeper's sequential consistency; sync makes the next read see everything committed before
 * it). Sessions: every member relays the
 * liveness of its clients through the log in small batches, and only the leader decides that a
 * session has expired — by proposing its close. Watches live on the member the client is
 * connected to and fire when the change is applied here, before any later read is answered.
 *
 * <p>Threads, and what each owns:
 * <pre>
 *  thread                   owns                                   hands to others
 *  selector (ClientIo)      each ZkConnection's input and requests  touches → touchedSinceRelay (ticker)
 *  apply (Ratis' updater)   the tree (CoordStateMachine, write lock) sessions created/closed/touched → ticker
 *  ticker (this class)      SessionTracker, closing, wasLeader      CloseSession / Touch proposals → batcher
 *  batch sender             nothing: forwarding that may block      (ProposalBatcher's lock guards its queue)
 * </pre>
 * A change's path — selector thread → batcher → Raft → apply thread → reply written on the apply
 * thread — has no hand-off of this class's making; the ticker is off it.
 */
public final class CoordServer implements AutoCloseable, CoordStateMachine.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(CoordServer.class);

    /**
     * How a coord server runs: its member of the group, where clients connect, its tick and limits.
     * @param tick session timeouts are negotiated into [2, 20] ticks, as in ZooKeeper; expiry is
     *             checked and liveness relayed every half tick
     * @param maxOutstandingRequests clients' changes read and not yet answered at which the member
     *             stops reading changes ({@link OutstandingLimit})
     * @param maxOutstandingBytes bytes of such changes at which it stops
     * @param pipelineWrites whether a session's change is proposed while its earlier ones are pending
     *     (else a session has one change in flight at a time)
     * @param security how clients connect: with mutual TLS, a client's certificate subject is its
     *     {@code x509} identity, and node certificates are super users (they keep the cluster's metadata)
     * @param admins user names (certificate common names of kind user) that are super users too
     */
    public record Settings(
            RaftMember.Settings raft,
            String clientHost,
            int clientPort,
            Duration tick,
            int maxDataBytes,
            int maxOutstandingRequests,
            long maxOutstandingBytes,
            boolean pipelineWrites,
            TransportSecurity security,
            Set<String> admins,
            Duration connectTimeout) {
        public Settings {
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            admins = Set.copyOf(admins);
        }

        /**
         * Settings for {@code raft}'s member with the rest at coord's defaults (those of
         * {@link dev.cairn.coord.CoordConfig}'s keys; clients connect in plain text on an
         * ephemeral loopback port), to change what differs: for tests and embedders.
         */
        public static Builder builder(RaftMember.Settings raft) {
            return new Builder(raft);
        }

        /** Builds {@link Settings}; every field starts at coord's default. */
        public static final class Builder {
            private final RaftMember.Settings raft;
            private String clientHost = "127.0.0.1";
            private int clientPort;
            private Duration tick = CoordConfig.TICK.defaultValue();
            private int maxDataBytes = Math.toIntExact(CoordConfig.MAX_DATA.defaultValue());
            private int maxOutstandingRequests = CoordConfig.MAX_OUTSTANDING_REQUESTS.defaultValue();
            private long maxOutstandingBytes = CoordConfig.MAX_OUTSTANDING_BYTES.defaultValue();
            private boolean pipelineWrites = CoordConfig.PIPELINE_WRITES.defaultValue();
            private TransportSecurity security = TransportSecurity.plain();
            private Set<String> admins = Set.of();
            private Duration connectTimeout = CoordConfig.CONNECT_TIMEOUT.defaultValue();

            private Builder(RaftMember.Settings raft) {
                this.raft = Objects.requireNonNull(raft, "raft");
            }

            public Builder client(String host, int port) {
                this.clientHost = host;
                this.clientPort = port;
                return this;
            }

            public Builder tick(Duration tick) {
                this.tick = tick;
                return this;
            }

            public Builder maxDataBytes(int bytes) {
                this.maxDataBytes = bytes;
                return this;
            }

            public Builder maxOutstanding(int requests, long bytes) {
                this.maxOutstandingRequests = requests;
                this.maxOutstandingBytes = bytes;
                return this;
            }

            public Builder pipelineWrites(boolean pipeline) {
                this.pipelineWrites = pipeline;
                return this;
            }

            /** Clients connect with {@code security}; {@code admins} are super users beside nodes. */
            public Builder security(TransportSecurity security, Set<String> admins) {
                this.security = security;
                this.admins = admins;
                return this;
            }

            public Builder connectTimeout(Duration timeout) {
                this.connectTimeout = timeout;
                return this;
            }

            public Settings build() {
                return new Settings(
                        raft,
                        clientHost,
                        clientPort,
                        tick,
                        maxDataBytes,
                        maxOutstandingRequests,
                        maxOutstandingBytes,
                        pipelineWrites,
                        security,
                        admins,
                        connectTimeout);
            }
        }

        int minSessionTimeoutMs() {
            return (int) tick.toMillis() * 2;
        }

        int maxSessionTimeoutMs() {
            return (int) tick.toMillis() * 20;
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final CoordStateMachine state;
    private final WatchRegistry<ZkConnection> watches = new WatchRegistry<>();
    /** Written by the selector thread and whoever closes a connection; read by the apply thread. */
    private final Map<Long, ZkConnection> connectionsBySession = new ConcurrentHashMap<>();
    /** The edge into the ticker: sessions this member's clients touched, added on the selector thread. */
    private final Set<Long> touchedSinceRelay = ConcurrentHashMap.newKeySet();
    /**
     * The member's ticker, an event loop that owns the session tracker, {@link #closing} and
     * {@link #wasLeader}: every change to them runs on it ({@link #onTicker}), and each use
     * asserts so ({@link #assertOnTicker}). The apply thread hands it sessions created, closed,
     * touched and restored; nothing on a change's path waits for it.
     */
    private final ScheduledExecutorService ticker;

    private volatile Thread tickerThread;
    /** Reached only through {@link #tracker()}, which asserts the ticker thread. */
    private final SessionTracker sessionTracker;
    /** Sessions whose CloseSession this leader proposed and that are not applied yet; ticker only. */
    private final Set<Long> closing = new HashSet<>();

    /** Logs the connections the TLS client port refuses, rate-limited. */
    private final RefusalLog refusals;

    /** Clients' changes in flight on this member; the selector thread takes room, answers give it back. */
    private final OutstandingLimit outstanding;

    private final ExecutorService batchSender;
    private final RaftMember raft;
    private final ProposalBatcher batcher;
    /** Set by {@link #start} once the Raft member runs; the last part built, since it lets clients in. */
    private ClientIo clients;
    /** Set by {@link #start} before any client connects. */
    private CoordMetrics metrics;
    /** Whether this member led at the previous tick; ticker only. */
    private boolean wasLeader;

    private CoordServer(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        // A new incarnation each start (an identity, not a decision: only its difference from the
        // member's earlier runs matters), so a restarted member never takes the segments it proposed
        // before it stopped for its own.
        long incarnation;
        do {
            incarnation = new java.security.SecureRandom().nextLong();
        } while (incarnation == CoordEntry.NO_INCARNATION);
        this.state = new CoordStateMachine(
                settings.maxDataBytes(), settings.raft().self().id(), incarnation, this);
        this.sessionTracker = new SessionTracker(clock);
        this.refusals = new RefusalLog(clock);
        this.outstanding = new OutstandingLimit(settings.maxOutstandingRequests(), settings.maxOutstandingBytes());
        java.util.concurrent.ThreadFactory tickerThreads = Thread.ofPlatform()
                .daemon()
                .name("coord-ticker-" + settings.raft().self().id())
                .factory();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = tickerThreads.newThread(r);
            tickerThread = t;
            return t;
        });
        this.batchSender = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("coord-batch-sender").factory());
        // Built in order, each part given what it needs: the Raft member (not started), the batcher
        // proposing through it, then start() lets the member run and hand forwarded segments to the batcher.
        this.raft = RaftMember.create(settings.raft());
        // A batch is never larger than the largest single change a client may send.
        this.batcher = new ProposalBatcher(
                new RaftMemberRoutes(raft), state, clock, batchSender, settings.maxDataBytes(), proposalTimeout());
    }

    /** {@link #start(Settings, Clock, MeterRegistry)} recording into a registry of its own, which nothing reads. */
    public static CoordServer start(Settings settings, Clock clock) throws IOException {
        return start(settings, clock, new SimpleMeterRegistry());
    }

    /** Starts the member, recording its requests and state into {@code meters} ({@link CoordMetrics}). */
    public static CoordServer start(Settings settings, Clock clock, MeterRegistry meters) throws IOException {
        CoordServer s = new CoordServer(settings, clock);
        s.metrics = new CoordMetrics(meters, s, settings.raft().self().id());
        try {
            s.raft.start(s.state, new BatcherIntake(s.batcher));
            s.clients = new ClientIo(
                    new InetSocketAddress(settings.clientHost(), settings.clientPort()),
                    "coord-clients-" + settings.raft().self().id(),
                    (io, channel) -> new ZkConnection(s, io, channel),
                    settings.connectTimeout(),
                    clock::nanos);
            long period = Math.max(10, settings.tick().toMillis() / 2);
            var unused = s.ticker.scheduleWithFixedDelay(s::tick, period, period, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        LOG.info(
                "coord member {} serving ZooKeeper clients at {}",
                settings.raft().self().id(),
                s.clientEndpoint());
        return s;
    }

    /** How segments leave: through this member's Raft member. */
    private record RaftMemberRoutes(RaftMember raft) implements ProposalBatcher.Raft {
        @Override
        public boolean isLeader() {
            return raft.isLeader();
        }

        @Override
        public String forward(List<byte[]> segments) throws IOException {
            return raft.forward(segments);
        }

        @Override
        public String tryForward(List<byte[]> segments) throws IOException {
            return raft.tryForward(segments);
        }

        @Override
        public boolean forwardPending() {
            return raft.forwardPending();
        }

        @Override
        public void flushForwarded() throws IOException {
            raft.flushForwarded();
        }

        @Override
        public CompletableFuture<byte[]> propose(byte[] entry) {
            return raft.propose(entry);
        }
    }

    /** What other members forward to this one, and news of leaders, go to the batcher. */
    private record BatcherIntake(ProposalBatcher batcher) implements RaftMember.Forwarding {
        @Override
        public void forwarded(byte[] segment) {
            batcher.forwarded(segment);
        }

        @Override
        public void leaderChanged(String leaderId) {
            batcher.leaderChanged(leaderId);
        }
    }

    public String clientEndpoint() {
        return settings.clientHost() + ":" + clients.port();
    }

    public int clientPort() {
        return clients.port();
    }

    public RaftMember raft() {
        return raft;
    }

    /** What the tree holds, for a node's status page. */
    public record TreeStats(long lastZxid, int sessions, int znodes) {}

    /** The tree's last applied zxid, open sessions and znodes, read under its lock. */
    public TreeStats treeStats() {
        return state.read(t -> new TreeStats(t.lastZxid(), t.sessionCount(), t.nodeCount()));
    }

    Settings settings() {
        return settings;
    }

    CoordStateMachine state() {
        return state;
    }

    RefusalLog refusals() {
        return refusals;
    }

    /**
     * The ACL identities a TLS client's certificate gives it, as ZooKeeper's x509 authentication
     * provider gives them: {@code x509} with the subject DN ({@link X500Principal#getName()}); for a
     * user's certificate {@code user} with its CN and {@code group} with each group it names; and
     * {@code super} — every ACL grants it everything — for a node's certificate or an admin's.
     */
    List<Id> identities(SSLSession session) {
        java.security.Principal peer;
        try {
            peer = session.getPeerPrincipal();
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // cannot happen: the engine requires a client certificate
        }
        if (!(peer instanceof X500Principal subject)) return List.of();
        List<Id> ids = new java.util.ArrayList<>();
        ids.add(new Id("x509", subject.getName()));
        // A user's name and groups as ids of their own, so that an ACL can name a user or a group
        // without knowing the exact subject DN (which carries the groups and the cluster name).
        CairnPrincipal.of(session)
                .filter(p -> p.kind() == CairnPrincipal.Kind.USER)
                .ifPresent(p -> {
                    ids.add(new Id(Id.USER, p.name()));
                    for (String g : CairnPrincipal.groups(session)) ids.add(new Id(Id.GROUP, g));
                });
        CairnPrincipal.of(session)
                .filter(Admins.of(settings.admins())::includes)
                .ifPresent(p -> ids.add(new Id(Id.SUPER, p.toString())));
        return ids;
    }

    boolean pipelinesWrites() {
        return settings.pipelineWrites();
    }

    OutstandingLimit outstanding() {
        return outstanding;
    }

    WatchRegistry<ZkConnection> watches() {
        return watches;
    }

    Clock clock() {
        return clock;
    }

    /** How long a client waits for its change or sync to be committed and applied here. */
    private Duration proposalTimeout() {
        return settings.raft().requestTimeout().multipliedBy(2);
    }

    /**
     * Proposes a change; completes with its result once applied on this member, or fails after
     * {@link #proposalTimeout}. Changes proposed while an earlier one is being replicated share a
     * log entry ({@link ProposalBatcher}).
     */
    CompletableFuture<Result> propose(Txn txn) {
        return batcher.propose(txn);
    }

    /** Like {@link #propose(Txn)}, for a client's change: none is proposed once one of {@code source}'s failed. */
    CompletableFuture<Result> propose(Txn txn, ProposalBatcher.Source source) {
        return batcher.propose(txn, source);
    }

    /** Completes once everything committed before the call is applied on this member; fails after {@link #proposalTimeout}. */
    CompletableFuture<Long> sync(long sessionId) {
        return raft.propose(new CoordEntry.Touch(List.of(sessionId)).encode())
                .thenCompose(reply -> {
                    long index = CoordStateMachine.index(reply);
                    return state.awaitApplied(index).thenApply(v -> index);
                })
                .orTimeout(proposalTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    CoordMetrics metrics() {
        return metrics;
    }

    int connectedSessions() {
        return connectionsBySession.size();
    }

    int watchCount() {
        return watches.size();
    }

    /** Whether the session is open as this member's applied log shows it. */
    boolean isSessionOpen(long sessionId) {
        return state.read(t -> t.hasSession(sessionId));
    }

    /**
     * A client of this member showed signs of life. The ticker takes it from here: it touches
     * the session in its tracker and relays it to the group before it next looks for expiries.
     */
    void touched(long sessionId) {
        touchedSinceRelay.add(sessionId);
    }

    /** Runs a task on the ticker, which owns the session tracker; dropped once the member closes. */
    private void onTicker(Runnable task) {
        try {
            ticker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // The executor would keep it in a future nobody reads.
                    LOG.error(
                            "a task on coord member {}'s ticker failed",
                            settings.raft().self().id(),
                            e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: no more expiry decisions to make
        }
    }

    /** The session tracker, which only the ticker thread may use. */
    private SessionTracker tracker() {
        assertOnTicker();
        return sessionTracker;
    }

    private void assertOnTicker() {
        if (Thread.currentThread() != tickerThread) {
            throw new IllegalStateException(
                    "coord member " + settings.raft().self().id() + "'s session state used off its ticker thread, on "
                            + Thread.currentThread());
        }
    }

    void register(long sessionId, ZkConnection c) {
        ZkConnection old = connectionsBySession.put(sessionId, c);
        if (old != null && old != c) old.close("the session moved to another connection");
    }

    void unregister(long sessionId, ZkConnection c) {
        connectionsBySession.remove(sessionId, c);
        watches.removeAll(c);
    }

    /** The connections that hold a session here, for the {@code cons} four-letter word. */
    java.util.Collection<ZkConnection> connections() {
        return List.copyOf(connectionsBySession.values());
    }

    int negotiateTimeout(int requested) {
        return Math.max(settings.minSessionTimeoutMs(), Math.min(settings.maxSessionTimeoutMs(), requested));
    }

    // ---- ticker: relay liveness, and on the leader decide expiries ------------------------

    private void tick() {
        assertOnTicker();
        try {
            batcher.expire();
            if (!touchedSinceRelay.isEmpty()) {
                List<Long> ids = List.copyOf(touchedSinceRelay);
                touchedSinceRelay.removeAll(ids);
                for (long id : ids) tracker().touch(id);
                // A relay that fails (no leader yet, or the link to it is down) is tried again on a
                // later tick: otherwise the leader hears nothing of these sessions until their
                // clients' next pings, and a few lost relays in a row expire live sessions.
                var unused = raft.propose(new CoordEntry.Touch(ids).encode()).whenComplete((r, e) -> {
                    if (e != null) touchedSinceRelay.addAll(ids);
                });
            }
            boolean leader = raft.isLeader();
            if (leader && !wasLeader) {
                tracker().resetAll();
                LOG.info("coord member {} is the leader", settings.raft().self().id());
            }
            wasLeader = leader;
            if (!leader) return;
            for (long id : tracker().expired()) {
                if (closing.add(id)) {
                    LOG.info("session 0x{} expired", Long.toHexString(id));
                    var unused = propose(new Txn.CloseSession(id))
                            .whenComplete((r, e) -> onTicker(() -> closing.remove(id)));
                }
            }
            long now = clock.millis();
            for (String path : state.read(t -> t.expiredCandidates(now))) {
                var unused = propose(new Txn.DeleteContainer(path));
            }
        } catch (RuntimeException e) {
            LOG.warn("coord tick failed", e);
        }
    }

    // ---- state machine listener (apply thread) -----------------------------------------

    @Override
    public void applied(long zxid, Txn txn, Applied applied) {
        for (WatchEvent e : applied.events()) {
            WatchRegistry.Event event = switch (e.type()) {
                case NodeCreated -> WatchRegistry.Event.NODE_CREATED;
                case NodeDeleted -> WatchRegistry.Event.NODE_DELETED;
                case NodeDataChanged -> WatchRegistry.Event.NODE_DATA_CHANGED;
                case NodeChildrenChanged -> WatchRegistry.Event.NODE_CHILDREN_CHANGED;
            };
            // As in ZooKeeper 3.9: a fired watch is used up, but only a client that may read the node is told.
            for (ZkConnection c : watches.fire(event, e.path()))
                if (e.visibleTo(c.auth())) c.sendEvent(event, e.path());
        }
        switch (applied.result()) {
            case Result.SessionCreated created
            when txn instanceof Txn.CreateSession cs ->
                onTicker(() -> {
                    tracker().track(created.id(), cs.timeoutMs());
                });
            case Result.SessionClosed ignored
            when txn instanceof Txn.CloseSession cs -> {
                onTicker(() -> {
                    tracker().remove(cs.sessionId());
                });
                ZkConnection c = connectionsBySession.get(cs.sessionId());
                if (c != null) c.sessionClosed();
            }
            default -> {}
        }
    }

    @Override
    public void ownSegmentApplied(long seq, List<Result> results) {
        batcher.applied(seq, results);
    }

    @Override
    public void ownSegmentDropped(long seq) {
        batcher.dropped(seq);
    }

    @Override
    public void touched(List<Long> sessionIds) {
        onTicker(() -> {
            for (long id : sessionIds) tracker().touch(id);
        });
    }

    @Override
    public void restored() {
        Map<Long, Integer> sessions = state.read(DataTree::sessions);
        onTicker(() -> {
            SessionTracker tracker = tracker();
            tracker.retainOnly(sessions.keySet());
            sessions.forEach(tracker::track);
        });
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        batchSender.shutdownNow();
        // Cuts every client connection: clients move to another member.
        if (clients != null) clients.close();
        try {
            raft.close();
        } catch (IOException e) {
            LOG.warn("closing raft member", e);
        }
    }
}
