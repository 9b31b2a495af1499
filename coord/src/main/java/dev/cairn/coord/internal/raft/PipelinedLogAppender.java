package dev.cairn.coord.internal.raft;

import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's log appender for one follower that keeps several appendEntries in flight and handles
 * each reply on the thread that read it.
 *
 * <p>Ratis' appender for its Netty transport sends one request, waits for Netty to write it, waits
 * for the reply, and only then looks for more: each change costs the appender thread two wake-ups
 * besides the one that tells it of new entries, and changes proposed during a round trip wait for
 * it to end. Here the appender thread writes requests straight to a {@link FollowerConnection} —
 * up to {@value #MAX_IN_FLIGHT} unanswered, advancing the follower's next index as it sends, as
 * Ratis' gRPC appender does — and the connection's reader thread applies each reply (match index,
 * commit, step-down) itself. The follower's server is Ratis' own and answers in order.
 *
 * <p>When a reply says the follower's log does not match ({@code INCONSISTENCY}), or the
 * connection fails or a request goes unanswered past the request timeout (the connection's watchdog
 * enforces it, as the appender thread may be blocked writing to a frozen follower), every request still in
 * flight is written off (its reply, if one comes, counts only as a sign of life) and sending
 * resumes from the index the follower asked for, or from its match index. Snapshots are sent
 * synchronously over Ratis' own channel once nothing is in flight.
 */
final class PipelinedLogAppender extends LogAppenderBase implements FollowerConnection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(PipelinedLogAppender.class);

    /**
     * Marks the call id of a <em>commit notice</em>: a heartbeat sent because the commit index
     * moved, which the follower handles like any heartbeat but does not answer ({@link
     * SocketServerRpc}) — as ZooKeeper's COMMIT goes unanswered. At one client a write cost each
     * follower a second reply and the leader a second reply to read and apply; the notice tells
     * nothing the leader waits for (the follower's answer to the entry itself said it was stored).
     * A notice that is lost or refused (a follower with a newer term, a log that does not match)
     * is made up for by the next appendEntries or periodic heartbeat, which are answered.
     */
    static final long ONE_WAY = 1L << 62;

    /** Requests written and not yet answered, at most. Each holds at most Ratis' appender buffer limit of entries. */
    static final int MAX_IN_FLIGHT = 8;

    /** A request written and not yet answered. */
    private static final class Sent {
        final long callId;
        /** Index of its first entry; {@link RaftLog#INVALID_LOG_INDEX} for a heartbeat. */
        final long firstIndex;

        final Timestamp sendTime;
        /** Sent before the pipeline was reset: its reply only shows that the follower is alive. */
        boolean writtenOff;

        Sent(long callId, long firstIndex, Timestamp sendTime) {
            this.callId = callId;
            this.firstIndex = firstIndex;
            this.sendTime = sendTime;
        }

        boolean hasEntries() {
            return firstIndex != RaftLog.INVALID_LOG_INDEX;
        }
    }

    private final AtomicLong callIds = new AtomicLong();
    private final String followerHost;
    private final int followerPort;
    private final long requestTimeoutNanos;
    private final int connectTimeoutMs;

    private final Object lock = new Object();
    /** In send order, which is reply order. Guarded by {@link #lock}. */
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    /** Null until connected and after the connection ended. Guarded by {@link #lock}. */
    private FollowerConnection connection;
    /**
     * Whether a reply on this connection showed the follower's log to match what is sent; until
     * then one request at a time, so a follower that is behind is not sent entries it must refuse.
     * Guarded by {@link #lock}.
     */
    private boolean inSync;
    /** When a failed connection may be tried again ({@link System#nanoTime}). Guarded by {@link #lock}. */
    private long reconnectAtNanos = System.nanoTime();

    /** The commit index the last request to this follower carried. Appender thread only. */
    private long commitSent = RaftLog.INVALID_LOG_INDEX;

    /** Set by {@link #notifyLogAppender}, cleared by the appender thread: no signal is lost. */
    private final AtomicBoolean woken = new AtomicBoolean();

    private volatile Thread appenderThread;
    /** How connections to the follower are made: plain, or mutual TLS. */
    private final TransportSecurity security;

    PipelinedLogAppender(
            RaftServer.Division server, LeaderState leaderState, FollowerInfo follower, TransportSecurity security) {
        super(server, leaderState, follower);
        this.security = security;
        String address = follower.getPeer().getAddress();
        int colon = address.lastIndexOf(':');
        this.followerHost = address.substring(0, colon);
        this.followerPort = Integer.parseInt(address.substring(colon + 1));
        var properties = server.getRaftServer().getProperties();
        this.requestTimeoutNanos =
                RaftServerConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.NANOSECONDS);
        this.connectTimeoutMs = (int) Math.max(
                1,
                Math.min(
                        Integer.MAX_VALUE,
                        RaftServerConfigKeys.Rpc.timeoutMin(properties).toLong(TimeUnit.MILLISECONDS)));
    }

    @Override
    public long getCallId() {
        return callIds.get();
    }

    @Override
    public Comparator<Long> getCallIdComparator() {
        return (a, b) -> Long.signum(a - b); // by difference, so a counter that wrapped still compares right
    }

    /**
     * Never, as far as heartbeats are concerned: Ratis leaves the previous entry out of a heartbeat
     * sent while entries are in flight (the follower might not hold them yet), and a heartbeat
     * without it cannot carry the commit index — so the follower that matters most, the one whose
     * commit notification is due, would not learn it. Here requests travel on one connection and
     * the follower handles them in order, so a heartbeat reaches it after every entry sent before.
     */
    @Override
    public boolean hasPendingDataRequests() {
        return false;
    }

    /** Ratis calls this for every entry appended and every heartbeat wanted: cheap when the appender is already awake. */
    @Override
    public void notifyLogAppender() {
        if (woken.compareAndSet(false, true)) {
            Thread t = appenderThread;
            if (t != null) LockSupport.unpark(t);
        }
    }

    private void awaitWork(long millis) throws InterruptedException {
        if (!woken.getAndSet(false)) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(millis));
            woken.set(false);
        }
        if (Thread.interrupted()) throw new InterruptedException("log appender stopped");
    }

    /**
     * A snapshot to send, if the follower needs one. Ratis' own check asks the state machine for its
     * latest snapshot and the leader whether the follower is bootstrapping on every call; the cheap
     * conditions on the indexes first keep that off the send loop.
     */
    private SnapshotInfo snapshotToInstall() {
        FollowerInfo follower = getFollower();
        long next = follower.getNextIndex();
        long start = getRaftLog().getStartIndex();
        boolean behindLog = next < getRaftLog().getNextIndex() && (next < start || start == RaftLog.INVALID_LOG_INDEX);
        boolean bootstrapping =
                !follower.hasAttemptedToInstallSnapshot() && getLeaderState().isFollowerBootstrapping(follower);
        return behindLog || bootstrapping ? shouldInstallSnapshot() : null;
    }

    @Override
    public void run() throws InterruptedException, IOException {
        appenderThread = Thread.currentThread();
        try {
            while (isRunning()) {
                if (System.nanoTime() - reconnectAt() >= 0) {
                    SnapshotInfo snapshot = snapshotToInstall();
                    if (snapshot == null) {
                        sendWhatIsDue();
                    } else if (inFlightCount() == 0) {
                        installSnapshot(snapshot);
                    } else {
                        awaitWork(requestTimeoutNanos / 1_000_000); // replies, or the connection's end, wake it
                        continue;
                    }
                }
                getLeaderState().checkHealth(getFollower());
                if (isRunning()) awaitWork(waitMillis());
            }
        } finally {
            FollowerConnection c;
            synchronized (lock) {
                c = connection;
            }
            if (c != null) c.close();
        }
    }

    private long reconnectAt() {
        synchronized (lock) {
            return reconnectAtNanos;
        }
    }

    private int inFlightCount() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    /**
     * How long the appender may sleep: until a heartbeat is due or a retry may start. With the
     * pipeline full, replies — or the end of the connection, which its watchdog enforces after the
     * request timeout — wake it.
     */
    private long waitMillis() {
        synchronized (lock) {
            if (inFlight.size() >= pipelineLimit()) return requestTimeoutNanos / 1_000_000;
            long millis = getHeartbeatWaitTimeMs();
            long untilReconnect = reconnectAtNanos - System.nanoTime();
            if (untilReconnect > 0) millis = Math.max(millis, TimeUnit.NANOSECONDS.toMillis(untilReconnect) + 1);
            return Math.max(1, millis);
        }
    }

    /** Requests that may be unanswered at once. Called holding {@link #lock}. */
    private int pipelineLimit() {
        return inSync ? MAX_IN_FLIGHT : 1;
    }

    /**
     * Whether the commit index moved past what this follower was last told. Ratis wakes the
     * appenders the moment it commits, before the leader applies anything; a heartbeat sent then
     * lets the follower apply — and answer its own client — without waiting for the leader's
     * state-machine thread (before, the leader asked for it after applying: one thread hand-off
     * and the apply later).
     */
    private boolean commitUnsent() {
        return getRaftLog().getLastCommittedIndex() > commitSent;
    }

    @Override
    public boolean shouldSendAppendEntries() {
        return super.shouldSendAppendEntries() || commitUnsent();
    }

    /** Sends entries, and a heartbeat when one is due or the commit index moved, while the pipeline has room. */
    private void sendWhatIsDue() throws InterruptedIOException {
        while (isRunning() && shouldSendAppendEntries()) {
            FollowerConnection c = connected();
            if (c == null) return;
            AppendEntriesRequestProto request;
            boolean notice;
            synchronized (lock) {
                if (connection != c || inFlight.size() >= pipelineLimit()) return;
                // Reset the trigger before the request reads the commit index: a commit notice arriving
                // meanwhile then survives for the next round instead of being cleared unsent.
                // Read before the request is built: a commit arriving meanwhile is then told again, not lost.
                long commit = getRaftLog().getLastCommittedIndex();
                boolean heartbeatDue = getHeartbeatWaitTimeMs() <= 0;
                notice = !heartbeatDue && commit > commitSent && !hasAppendEntries();
                resetHeartbeatTrigger();
                try {
                    long callId = callIds.getAndIncrement();
                    request = newAppendEntriesRequest(notice ? callId | ONE_WAY : callId, heartbeatDue || notice);
                } catch (IOException e) {
                    LOG.warn("{}: cannot read the log to send", this, e);
                    reconnectAtNanos = System.nanoTime()
                            + getServer().properties().rpcSleepTime().toLong(TimeUnit.NANOSECONDS);
                    return;
                }
                if (request == null) return;
                // What the follower is meant to learn, even where Ratis caps the index a request
                // carries (at the entries the follower is known to hold): counting only the carried
                // index, a capped heartbeat would be resent at once, again and again.
                commitSent = Math.max(commitSent, commit);
                int count = request.getEntriesCount();
                if (!notice)
                    inFlight.addLast(new Sent(
                            request.getServerRequest().getCallId(),
                            count > 0 ? request.getEntries(0).getIndex() : RaftLog.INVALID_LOG_INDEX,
                            Timestamp.currentTime()));
                if (count > 0) {
                    getFollower()
                            .increaseNextIndex(request.getEntries(count - 1).getIndex() + 1);
                }
            }
            // A notice is not a heartbeat to Ratis' schedule: counted as one, it would put off the
            // periodic heartbeats whose replies show the follower alive.
            getFollower().updateLastRpcSendTime(request.getEntriesCount() == 0 && !notice);
            try {
                c.send(request);
            } catch (IOException e) {
                return; // the connection told onClosed, which reset the pipeline
            }
        }
    }

    /** The open connection, connecting first if there is none; null while the follower cannot be reached. */
    private FollowerConnection connected() {
        synchronized (lock) {
            if (connection != null) return connection;
        }
        try {
            FollowerConnection c = FollowerConnection.open(
                    new InetSocketAddress(followerHost, followerPort),
                    security,
                    connectTimeoutMs,
                    (int) Math.max(1, requestTimeoutNanos / 4_000_000),
                    this,
                    this + "-replies");
            synchronized (lock) {
                if (!isRunning()) {
                    c.close();
                    return null;
                }
                connection = c;
                inSync = false;
            }
            c.start(); // only now: the reader's first words may be onClosed, which must find it recorded
            return c;
        } catch (IOException e) {
            LOG.debug("{}: cannot connect to {}:{}", this, followerHost, followerPort, e);
            synchronized (lock) {
                reconnectAtNanos = System.nanoTime()
                        + getServer().properties().rpcSleepTime().toLong(TimeUnit.NANOSECONDS);
            }
            return null;
        }
    }

    @Override
    public void onReply(FollowerConnection from, AppendEntriesReplyProto reply) {
        FollowerInfo follower = getFollower();
        Sent sent;
        boolean wasFull;
        synchronized (lock) {
            if (from != connection) return;
            wasFull = inFlight.size() >= pipelineLimit();
            sent = inFlight.pollFirst();
            if (sent == null || sent.callId != reply.getServerReply().getCallId()) {
                LOG.warn(
                        "{}: reply for call {} does not match the request {}; reconnecting",
                        this,
                        reply.getServerReply().getCallId(),
                        sent == null ? "(none)" : sent.callId);
                sent = null;
            }
        }
        if (sent == null) {
            from.close();
            return;
        }
        follower.updateLastRpcResponseTime();
        if (sent.writtenOff) {
            notifyLogAppender();
            return;
        }
        follower.updateLastRespondedAppendEntriesSendTime(sent.sendTime);
        getLeaderState().onFollowerCommitIndex(follower, reply.getFollowerCommit());
        boolean wake = true;
        switch (reply.getResult()) {
            case SUCCESS -> {
                boolean limitRaised;
                synchronized (lock) {
                    if (from != connection) return; // replaced meanwhile: its requests were written off
                    limitRaised = !inSync;
                    inSync = true;
                }
                if (follower.updateMatchIndex(reply.getMatchIndex())) {
                    follower.updateNextIndex(reply.getMatchIndex() + 1);
                    getLeaderState().onFollowerSuccessAppendEntries(follower);
                }
                // Only a success that makes room lets the appender send more; a commit it leads to
                // wakes the appender through Ratis, and a heartbeat falls due by the clock.
                wake = wasFull || limitRaised;
            }
            case NOT_LEADER -> onFollowerTerm(reply.getTerm());
            case INCONSISTENCY -> {
                synchronized (lock) {
                    if (from != connection) return;
                    writeOffInFlight();
                    inSync = false;
                    follower.setNextIndex(getNextIndexForInconsistency(sent.firstIndex, reply.getNextIndex()));
                }
            }
            default -> LOG.warn("{}: unexpected appendEntries result {}", this, reply.getResult());
        }
        getLeaderState().onAppendEntriesReply(this, reply);
        if (wake) notifyLogAppender();
    }

    @Override
    public boolean isOverdue(FollowerConnection which) {
        synchronized (lock) {
            Sent oldest = inFlight.peekFirst();
            return which == connection
                    && oldest != null
                    && oldest.sendTime.elapsedTime().toLong(TimeUnit.NANOSECONDS) >= requestTimeoutNanos;
        }
    }

    /** Also ends the connection: the appender thread may be blocked writing to it, where an interrupt does not reach. */
    @Override
    public CompletableFuture<LifeCycle.State> stopAsync() {
        CompletableFuture<LifeCycle.State> stopped = super.stopAsync();
        FollowerConnection c;
        synchronized (lock) {
            c = connection;
        }
        if (c != null) c.close();
        return stopped;
    }

    @Override
    public void onClosed(FollowerConnection which, IOException cause) {
        synchronized (lock) {
            if (which != connection) return;
            connection = null;
            // What was sent may not have arrived: resend from the first entry not acknowledged. (Not
            // from the match index, which is -1 until the term's first acknowledgement: a follower
            // sent back to 0 past a purged log would be sent snapshots it already has.)
            long firstUnacknowledged = inFlight.stream()
                    .filter(sent -> sent.hasEntries() && !sent.writtenOff)
                    .mapToLong(sent -> sent.firstIndex)
                    .min()
                    .orElse(-1);
            inFlight.clear();
            if (firstUnacknowledged >= 0) getFollower().setNextIndex(firstUnacknowledged);
            reconnectAtNanos =
                    System.nanoTime() + getServer().properties().rpcSleepTime().toLong(TimeUnit.NANOSECONDS);
        }
        if (isRunning()) {
            // Expected when a follower stops or restarts: one line at info, the trace at debug.
            LOG.info("{}: connection to {} ended: {}", this, getFollowerId(), cause.getMessage());
            LOG.debug("{}: connection to {} ended", this, getFollowerId(), cause);
        }
        notifyLogAppender();
    }

    /** Called holding {@link #lock}. */
    private void writeOffInFlight() {
        for (Sent s : inFlight) s.writtenOff = true;
    }

    private void installSnapshot(SnapshotInfo snapshot) throws InterruptedIOException {
        LOG.info(
                "{}: follower's next index {} is below the log's start {}; sending snapshot {}",
                this,
                getFollower().getNextIndex(),
                getRaftLog().getStartIndex(),
                snapshot.getTermIndex());
        InstallSnapshotReplyProto reply = null;
        try {
            for (InstallSnapshotRequestProto request :
                    newInstallSnapshotRequests(UUID.randomUUID().toString(), snapshot)) {
                getFollower().updateLastRpcSendTime(false);
                reply = getServerRpc().installSnapshot(request);
                getFollower().updateLastRpcResponseTime();
                if (!reply.getServerReply().getSuccess()) break;
            }
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: sending snapshot {} failed", this, snapshot.getTermIndex(), e);
            getServerRpc()
                    .handleException(getFollowerId(), e instanceof IOException io ? io : new IOException(e), false);
            synchronized (lock) {
                reconnectAtNanos = System.nanoTime()
                        + getServer().properties().rpcSleepTime().toLong(TimeUnit.NANOSECONDS);
            }
            return;
        }
        if (reply == null) return;
        switch (reply.getResult()) {
            case NOT_LEADER -> onFollowerTerm(reply.getTerm());
            case SUCCESS -> {
                getFollower().setSnapshotIndex(snapshot.getTermIndex().getIndex());
                getFollower().setAttemptedToInstallSnapshot();
                LOG.info("{}: snapshot {} installed", this, snapshot.getTermIndex());
            }
            case ALREADY_INSTALLED -> {
                // The follower holds this snapshot or a later one: go on with the entries after it.
                getFollower().updateNextIndex(snapshot.getTermIndex().getIndex() + 1);
                getFollower().setAttemptedToInstallSnapshot();
            }
            case SNAPSHOT_UNAVAILABLE, SNAPSHOT_EXPIRED -> getFollower().setAttemptedToInstallSnapshot();
            default -> {}
        }
    }
}
