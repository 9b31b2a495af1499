package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.raft.ReplicatedState;
import dev.cairn.coord.internal.tree.Applied;
import dev.cairn.coord.internal.tree.DataTree;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The coord's replicated state on one member: the {@link DataTree}, changed only by applying
 * committed log entries (on Ratis' apply thread), and read by client connections under a read
 * lock.
 *
 * <p>Zxids: an entry may hold up to {@link #MAX_BATCH} changes, and the change at position
 * {@code i} of the entry at log index {@code n} has zxid {@code (n << 16) + i} ({@link #zxid}):
 * distinct, growing in log order, and the same on every member. {@link #lastZxid} is the zxid of the last
 * change applied, or {@code n << 16} after an entry {@code n} without changes; it only grows,
 * and a member whose {@code lastZxid} is at least a zxid has applied that change.
 *
 * <p>A member learns the results of the changes its clients proposed by applying the entry that
 * holds them ({@link Listener#ownSegmentApplied}), so a client always reads its own writes from
 * the member it is connected to; the result it gets is this member's, identical to every other's
 * because applying is deterministic. The watches a change fires are queued to their connections before any read
 * can see the change (both happen under the state's lock), so a client always learns of a change
 * to a watched node before it reads the node's new state.
 */
final class CoordStateMachine implements ReplicatedState {
    /** Told, on the apply thread and after the state changed, what an entry did. */
    interface Listener {
        /** Called holding the state's write lock (so before any read sees the change): must not block. */
        void applied(long zxid, Txn txn, Applied applied);

        /**
         * The changes of one of this member's own segments were applied, with these results in
         * order; called after the state's lock is released and {@link #lastZxid} covers them.
         */
        void ownSegmentApplied(long seq, List<Result> results);

        /**
         * One of this member's own segments was not applied: it was not the next one of this
         * member's incarnation ({@link AppliedSegments}). Called like {@link #ownSegmentApplied}.
         */
        void ownSegmentDropped(long seq);

        void touched(List<Long> sessionIds);

        /** The whole state was replaced from a snapshot. */
        void restored();
    }

    /** What became of one of this member's segments in an entry: its results, or null when it was dropped. */
    private record OwnSegment(long seq, List<Result> results) {}

    private static final int POSITION_BITS = 16;
    /** The most changes one log entry may hold. */
    static final int MAX_BATCH = 1 << 10;

    private final int maxDataBytes;
    private final String self;
    private final long incarnation;
    private final Listener listener;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private DataTree tree;
    private AppliedSegments segments = new AppliedSegments();
    private volatile long lastApplied;
    private volatile long lastZxid;
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    /**
     * @param self        this member's id, the origin of its segments
     * @param incarnation this run of the member (a new one each start): only segments of this
     *                    origin and incarnation are reported as its own; results of the rest are
     *                    not kept (a member keeping every change's results until they aged out
     *                    held tens of thousands of them, all surviving young collections)
     */
    CoordStateMachine(int maxDataBytes, String self, long incarnation, Listener listener) {
        this.maxDataBytes = maxDataBytes;
        this.self = Objects.requireNonNull(self, "self");
        this.incarnation = incarnation;
        this.listener = listener;
        this.tree = new DataTree(maxDataBytes);
    }

    /** The zxid of the change at {@code position} in the entry at log {@code index}. */
    static long zxid(long index, int position) {
        if (position < 0 || position >= MAX_BATCH) throw new IllegalArgumentException("position " + position);
        return (index << POSITION_BITS) + position;
    }

    @Override
    public byte[] apply(long index, byte[] bytes) {
        long zxid = zxid(index, 0);
        switch (CoordEntry.decode(bytes)) {
            case CoordEntry.Batch batch -> {
                List<OwnSegment> own = null;
                int position = 0;
                lock.writeLock().lock();
                try {
                    for (CoordEntry.Segment segment : batch.segments()) {
                        boolean ours = segment.incarnation() == incarnation
                                && segment.origin().equals(self);
                        boolean admitted =
                                segments.admit(segment.origin(), segment.incarnation(), segment.run(), segment.seq());
                        List<Result> results = ours && admitted
                                ? new ArrayList<>(segment.txns().size())
                                : null;
                        for (int i = 0; admitted && i < segment.txns().size(); i++) {
                            Txn txn = segment.txns().get(i);
                            zxid = zxid(index, position++);
                            Applied applied = tree.apply(zxid, batch.timeMs(), txn);
                            if (ours) results.add(applied.result());
                            listener.applied(zxid, txn, applied);
                        }
                        if (ours) {
                            if (own == null) own = new ArrayList<>(2);
                            own.add(new OwnSegment(segment.seq(), results));
                        }
                    }
                } finally {
                    lock.writeLock().unlock();
                }
                advance(index, zxid);
                for (int i = 0; own != null && i < own.size(); i++) {
                    OwnSegment o = own.get(i);
                    if (o.results() == null) listener.ownSegmentDropped(o.seq());
                    else listener.ownSegmentApplied(o.seq(), o.results());
                }
                return ByteBuffer.allocate(8).putLong(index).array();
            }
            case CoordEntry.Touch touch -> listener.touched(touch.sessionIds());
        }
        advance(index, zxid);
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    private void advance(long index, long zxid) {
        lastZxid = Math.max(lastZxid, zxid);
        lastApplied = index;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (waiters) {
            var head = waiters.headMap(index, true);
            head.values().forEach(done::addAll);
            head.clear();
        }
        done.forEach(f -> f.complete(null));
    }

    /** Completes once this member has applied the entry at {@code index}. */
    CompletableFuture<Void> awaitApplied(long index) {
        synchronized (waiters) {
            if (lastApplied >= index) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiters.computeIfAbsent(index, i -> new ArrayList<>()).add(f);
            return f;
        }
    }

    /** This member's id, the origin of its segments. */
    String self() {
        return self;
    }

    /** This run of the member, as its segments name it. */
    long incarnation() {
        return incarnation;
    }

    /** The log index of the last entry applied here. */
    long lastApplied() {
        return lastApplied;
    }

    /** The zxid of the last change applied here (see the class comment); what replies and {@code srvr} show. */
    long lastZxid() {
        return lastZxid;
    }

    /** Runs a read against a consistent state (no entry is applied meanwhile). */
    <T> T read(Function<DataTree, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(tree);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        lock.readLock().lock();
        try {
            DataOutputStream data = new DataOutputStream(out);
            tree.writeSnapshot(data);
            segments.writeSnapshot(data);
            data.flush();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void readSnapshot(long index, InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        DataTree restored = DataTree.readSnapshot(data, maxDataBytes);
        AppliedSegments restoredSegments = AppliedSegments.readSnapshot(data);
        lock.writeLock().lock();
        try {
            tree = restored;
            segments = restoredSegments;
        } finally {
            lock.writeLock().unlock();
        }
        listener.restored();
        advance(Math.max(lastApplied, index), Math.max(zxid(index, 0), restored.lastZxid()));
    }

    static long index(byte[] reply) {
        return ByteBuffer.wrap(reply).getLong();
    }
}
