package dev.cairn.coord.internal.raft;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Adapts a {@link ReplicatedState} to Ratis: committed entries are applied in order, snapshots are
 * single files (with an MD5 beside them) in Ratis' state machine storage, and the latest snapshot
 * is loaded at start and whenever Ratis installs one from the leader ({@link #reinitialize}).
 *
 * <p>Ratis calls {@link #applyTransaction} sequentially; {@code takeSnapshot} may come from
 * another thread, so both synchronize on this object: a snapshot is always of a state between
 * entries, labelled with the last entry applied.
 *
 * <p>Snapshots are written in the background. Ratis takes them on its apply thread, so a snapshot
 * written there (file, fsync, rename, MD5: 50–100 ms on the benchmark machine) stalled every
 * write of the group for that long, every {@code coord.snapshot-every} entries — visible in the
 * write p99. Here {@link #takeSnapshot} only serializes the state into memory (under the state's
 * read lock, between two entries) and hands the bytes to a writer thread, answering "no snapshot
 * yet"; Ratis asks again after each entry it applies, and once the file is durable the answer is
 * its index, so Ratis records it and purges the log up to it — never before the snapshot is on
 * disk. The price is one copy of the serialized state in memory while it is written.
 */
final class RatisStateMachine extends BaseStateMachine {
    private final ReplicatedState state;
    private final SnapshotStorage storage = new SnapshotStorage();
    private final ExecutorService snapshotWriter = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("coord-snapshot-writer").unstarted(r));
    /** The snapshot being written in the background, and what it is of; guarded by this. */
    private Future<?> writing;

    private TermIndex writingAt;
    /** Told the previous leader (or null) and the new one whenever this member learns of a new one. */
    private final BiConsumer<RaftPeerId, RaftPeerId> leaderChanged;
    /** The last leader this member knew of; written by Ratis' threads one at a time. */
    private final AtomicReference<RaftPeerId> leader = new AtomicReference<>();

    RatisStateMachine(ReplicatedState state, BiConsumer<RaftPeerId, RaftPeerId> leaderChanged) {
        this.state = state;
        this.leaderChanged = leaderChanged;
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        RaftPeerId previous = leader.getAndSet(newLeaderId);
        if (!java.util.Objects.equals(previous, newLeaderId)) leaderChanged.accept(previous, newLeaderId);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /**
     * Ratis pauses the state machine before it installs a snapshot from the leader, and checks that
     * it is PAUSED before {@link #reinitialize} loads it (a member that joins a group whose log was
     * purged gets its state this way).
     */
    @Override
    public synchronized void pause() {
        if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public SnapshotStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public synchronized void reinitialize() throws IOException {
        load();
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void load() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) return;
        Path file = snapshot.getFile().getPath();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) MD5FileUtil.verifySavedMD5(file.toFile(), md5);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            state.readSnapshot(snapshot.getIndex(), in);
        }
        updateLastAppliedTermIndex(snapshot.getTermIndex());
    }

    @Override
    public synchronized CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] reply = state.apply(
                entry.getIndex(), entry.getStateMachineLogEntry().getLogData().toByteArray());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        if (writing != null) {
            if (!writing.isDone()) return RaftLog.INVALID_LOG_INDEX;
            TermIndex written = writingAt;
            try {
                writing.get();
            } catch (ExecutionException e) {
                throw new IOException("writing the snapshot at " + written + " failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            } finally {
                writing = null;
                writingAt = null;
            }
            return written.getIndex();
        }
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) return RaftLog.INVALID_LOG_INDEX;
        ByteArrayOutputStream image = new ByteArrayOutputStream(1 << 16);
        state.writeSnapshot(image);
        writingAt = last;
        try {
            writing = snapshotWriter.submit(() -> {
                write(image, last);
                return null;
            });
        } catch (RejectedExecutionException e) {
            writingAt = null; // closing
        }
        return RaftLog.INVALID_LOG_INDEX;
    }

    /** Makes a serialized state the latest snapshot: written, fsync'd, renamed into place, MD5 beside it. */
    private void write(ByteArrayOutputStream image, TermIndex at) throws IOException {
        File file = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        File tmp = new File(file.getParentFile(), "tmp-" + file.getName());
        try (OutputStream out = Files.newOutputStream(tmp.toPath())) {
            image.writeTo(out);
        }
        // fsync before the rename: Ratis purges log entries up to this snapshot once it is reported.
        try (var ch = java.nio.channels.FileChannel.open(tmp.toPath(), java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at));
    }

    /**
     * Ratis' snapshot storage, but knowing that there is no snapshot too. Ratis' own lists the
     * directory on every {@code getLatestSnapshot} until a first snapshot exists, and a follower
     * asks two or three times per appendEntries (measured with strace: an opendir, fstat, getdents
     * and close per call on the Raft port's reader, i.e. on every write's path for the first
     * {@code coord.snapshot-every} entries). The directory changes only through this class (a
     * snapshot written: {@link #updateLatestSnapshot}) or through Ratis installing one from the
     * leader, after which it calls {@link #reinitialize}, which lists it again.
     */
    static final class SnapshotStorage extends SimpleStateMachineStorage {
        /** Whether the directory was listed once; from then on {@link #latest} is the answer. */
        private volatile boolean listed;
        /** The latest snapshot known, or null; only ever replaced by a later one. */
        private volatile SingleFileSnapshotInfo latest;

        @Override
        public SingleFileSnapshotInfo loadLatestSnapshot() {
            SingleFileSnapshotInfo found = super.loadLatestSnapshot(); // lists; reports through updateLatestSnapshot
            listed = true;
            return found;
        }

        @Override
        public synchronized SingleFileSnapshotInfo updateLatestSnapshot(SingleFileSnapshotInfo info) {
            // A listing that found none reports null, which Ratis' own would throw on once one is known.
            if (info == null) return latest;
            latest = super.updateLatestSnapshot(info);
            return latest;
        }

        @Override
        public SingleFileSnapshotInfo getLatestSnapshot() {
            SingleFileSnapshotInfo known = latest;
            return known != null || listed ? known : loadLatestSnapshot();
        }
    }

    /** Lets a snapshot being written finish (bounded), so a member never stops halfway through one. */
    @Override
    public void close() throws IOException {
        snapshotWriter.shutdown();
        try {
            if (!snapshotWriter.awaitTermination(30, TimeUnit.SECONDS)) snapshotWriter.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.close();
    }
}
