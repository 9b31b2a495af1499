package dev.cairn.coord.internal.raft;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Adapts a {@link ReplicatedState} to Ratis: committed entries are applied in order, snapshots are
 * single files (with an MD5 beside them) in Ratis' state machine storage, and the latest snapshot
 * is loaded at start and whenever Ratis installs one from the leader ({@link #reinitialize}).
 *
 * <p>Ratis calls {@link #applyTransaction} sequentially; {@code takeSnapshot} may come from
 * another thread, so both synchronize on this object: a snapshot is always of a state between
 * entries, labelled with the last entry applied.
 */
final class RatisStateMachine extends BaseStateMachine {
    private final ReplicatedState state;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();

    RatisStateMachine(ReplicatedState state) {
        this.state = state;
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
    public SimpleStateMachineStorage getStateMachineStorage() {
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
        byte[] reply = state.apply(entry.getIndex(), entry.getStateMachineLogEntry().getLogData().toByteArray());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        if (trx.getServerRole() == org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER) CommitNotifyingRpc.commitAdvanced(getId());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) return RaftLog.INVALID_LOG_INDEX;
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(file.getParentFile(), "tmp-" + file.getName());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.toPath()), 1 << 16)) {
            state.writeSnapshot(out);
        }
        // fsync before the rename: Ratis purges log entries up to this snapshot once it is recorded.
        try (var ch = java.nio.channels.FileChannel.open(tmp.toPath(), java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }
}
