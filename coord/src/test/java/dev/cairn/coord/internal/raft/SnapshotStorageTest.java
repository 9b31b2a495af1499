package dev.cairn.coord.internal.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.RaftServerConfigKeys.Log.CorruptionPolicy;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStorageTest {
    @TempDir
    Path dir;

    private RaftStorage raftStorage;

    @AfterEach
    void close() throws IOException {
        if (raftStorage != null) raftStorage.close();
    }

    private RatisStateMachine.SnapshotStorage open(RaftStorage.StartupOption option) throws IOException {
        if (raftStorage != null) raftStorage.close();
        raftStorage = RaftStorage.newBuilder()
                .setDirectory(dir.toFile())
                .setOption(option)
                .setStorageFreeSpaceMin(SizeInBytes.ONE_KB)
                .setLogCorruptionPolicy(CorruptionPolicy.EXCEPTION)
                .build();
        raftStorage.initialize();
        RatisStateMachine.SnapshotStorage storage = new RatisStateMachine.SnapshotStorage();
        storage.init(raftStorage);
        return storage;
    }

    private static SingleFileSnapshotInfo writeSnapshot(
            RatisStateMachine.SnapshotStorage storage, long term, long index) throws IOException {
        File file = storage.getSnapshotFile(term, index);
        Files.writeString(file.toPath(), "state at " + index);
        return new SingleFileSnapshotInfo(
                new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)),
                TermIndex.valueOf(term, index));
    }

    @Test
    void withoutASnapshotTheDirectoryIsListedOnceNotOnEveryQuestion() throws IOException {
        RatisStateMachine.SnapshotStorage storage = open(RaftStorage.StartupOption.FORMAT);
        assertThat(storage.getLatestSnapshot()).isNull();

        // A file that appears behind its back is not looked for: Ratis' own storage lists the
        // directory on every call while none is known, two or three times per appendEntries.
        writeSnapshot(storage, 1, 10);
        assertThat(storage.getLatestSnapshot()).isNull();

        // What reinitialize does after Ratis installed a snapshot from the leader: list again.
        assertThat(storage.loadLatestSnapshot().getIndex()).isEqualTo(10);
        assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(10);
        assertThat(storage.getLatestSnapshot().getFile().getFileDigest()).isNotNull();
    }

    @Test
    void aSnapshotWrittenByTheMemberIsTheAnswerAndAnOlderOneNeverReplacesIt() throws IOException {
        RatisStateMachine.SnapshotStorage storage = open(RaftStorage.StartupOption.FORMAT);
        assertThat(storage.getLatestSnapshot()).isNull();

        SingleFileSnapshotInfo at20 = writeSnapshot(storage, 1, 20);
        assertThat(storage.updateLatestSnapshot(at20).getIndex()).isEqualTo(20);
        assertThat(storage.getLatestSnapshot()).isSameAs(at20);

        SingleFileSnapshotInfo at10 = writeSnapshot(storage, 1, 10);
        assertThat(storage.updateLatestSnapshot(at10)).isSameAs(at20);
        assertThat(storage.getLatestSnapshot()).isSameAs(at20);

        // A listing (reinitialize) that finds the same files keeps the later one.
        assertThat(storage.loadLatestSnapshot().getIndex()).isEqualTo(20);
        assertThat(storage.getLatestSnapshot().getIndex()).isEqualTo(20);
    }

    @Test
    void aRestartedMemberFindsItsLatestSnapshotOnDisk() throws IOException {
        RatisStateMachine.SnapshotStorage first = open(RaftStorage.StartupOption.FORMAT);
        first.updateLatestSnapshot(writeSnapshot(first, 1, 10));
        first.updateLatestSnapshot(writeSnapshot(first, 2, 30));

        RatisStateMachine.SnapshotStorage restarted = open(RaftStorage.StartupOption.RECOVER);
        SingleFileSnapshotInfo latest = restarted.getLatestSnapshot();
        assertThat(latest.getTermIndex()).isEqualTo(TermIndex.valueOf(2, 30));
        assertThat(latest.getFile().getFileDigest()).isNotNull();
    }
}
