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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The coord's replicated state on one member: the {@link DataTree}, changed only by applying
 * committed log entries (on Ratis' apply thread), and read by client connections under a read
 * lock. The zxid of a change is its log index.
 *
 * <p>A proposer learns its entry's index from the leader's reply and then waits here until this
 * member has applied that index, so a client always reads its own writes from the member it is
 * connected to; the result it gets is this member's, identical to every other's because applying
 * is deterministic.
 */
final class CoordStateMachine implements ReplicatedState {
    /** Told, on the apply thread and after the state changed, what an entry did. */
    interface Listener {
        void applied(long zxid, Txn txn, Applied applied);

        void touched(List<Long> sessionIds);

        /** The whole state was replaced from a snapshot. */
        void restored();
    }

    private static final int RECENT_RESULTS = 65_536;

    private final int maxDataBytes;
    private final Listener listener;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private DataTree tree;
    private volatile long lastApplied;
    private final Map<Long, Result> results = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Result> eldest) {
            return size() > RECENT_RESULTS;
        }
    };
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    CoordStateMachine(int maxDataBytes, Listener listener) {
        this.maxDataBytes = maxDataBytes;
        this.listener = listener;
        this.tree = new DataTree(maxDataBytes);
    }

    @Override
    public byte[] apply(long index, byte[] bytes) {
        CoordEntry entry = CoordEntry.decode(bytes);
        switch (entry) {
            case CoordEntry.Change change -> {
                Applied applied;
                lock.writeLock().lock();
                try {
                    applied = tree.apply(index, change.timeMs(), change.txn());
                } finally {
                    lock.writeLock().unlock();
                }
                synchronized (results) {
                    results.put(index, applied.result());
                }
                listener.applied(index, change.txn(), applied);
            }
            case CoordEntry.Touch touch -> listener.touched(touch.sessionIds());
        }
        advance(index);
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    private void advance(long index) {
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

    /** The result of the change applied at {@code index} here, once. */
    Result takeResult(long index) {
        synchronized (results) {
            Result r = results.remove(index);
            if (r == null) throw new IllegalStateException("no result for log index " + index + " (not a change, or too old)");
            return r;
        }
    }

    long lastApplied() {
        return lastApplied;
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
            data.flush();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void readSnapshot(InputStream in) throws IOException {
        lock.writeLock().lock();
        try {
            tree = DataTree.readSnapshot(new DataInputStream(in), maxDataBytes);
        } finally {
            lock.writeLock().unlock();
        }
        listener.restored();
        advance(Math.max(lastApplied, read(DataTree::lastZxid)));
    }

    static long index(byte[] reply) {
        return ByteBuffer.wrap(reply).getLong();
    }
}
