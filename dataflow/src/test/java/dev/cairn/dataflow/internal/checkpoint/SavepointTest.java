package dev.cairn.dataflow.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.fs.LocalFileSystem;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which old snapshots each new subtask restores, and the savepoint directory's descriptor. */
class SavepointTest {
    @TempDir
    Path dir;

    @Test
    void eachNewSubtaskGetsExactlyTheOldSubtasksWhoseKeyGroupsOverlapItsOwn() {
        for (int maxParallelism : new int[] {1, 7, 128}) {
            for (int before = 1; before <= Math.min(maxParallelism, 6); before++) {
                for (int after = 1; after <= Math.min(maxParallelism, 6); after++) {
                    for (int i = 0; i < after; i++) {
                        KeyGroupRange mine = KeyGroupRange.forSubtask(maxParallelism, after, i);
                        List<Integer> old = Savepoint.oldSubtasksFor(maxParallelism, before, after, i, false);
                        Set<Integer> needed = new HashSet<>();
                        for (int kg = mine.first(); kg <= mine.last(); kg++) {
                            for (int s = 0; s < before; s++) {
                                if (KeyGroupRange.forSubtask(maxParallelism, before, s)
                                        .contains(kg)) needed.add(s);
                            }
                        }
                        assertThat(new HashSet<>(old))
                                .as("max %d, %d -> %d, subtask %d", maxParallelism, before, after, i)
                                .isEqualTo(needed);
                        if (before == after) assertThat(old).containsExactly(i);
                    }
                }
            }
        }
    }

    @Test
    void examples() {
        // 2 -> 4 over 128 key groups: old 0 owns 0..63, old 1 owns 64..127.
        assertThat(Savepoint.oldSubtasksFor(128, 2, 4, 0, false)).containsExactly(0);
        assertThat(Savepoint.oldSubtasksFor(128, 2, 4, 3, false)).containsExactly(1);
        // 4 -> 1: everything; 3 -> 2: the middle one is split.
        assertThat(Savepoint.oldSubtasksFor(128, 4, 1, 0, false)).containsExactly(0, 1, 2, 3);
        assertThat(Savepoint.oldSubtasksFor(128, 3, 2, 0, false)).containsExactly(0, 1);
        assertThat(Savepoint.oldSubtasksFor(128, 3, 2, 1, false)).containsExactly(1, 2);
    }

    @Test
    void aSourceChainTakesEveryOldSnapshotWhenTheParallelismChangesAndItsOwnOtherwise() {
        assertThat(Savepoint.oldSubtasksFor(128, 2, 4, 3, true)).containsExactly(0, 1);
        assertThat(Savepoint.oldSubtasksFor(128, 4, 2, 0, true)).containsExactly(0, 1, 2, 3);
        assertThat(Savepoint.oldSubtasksFor(128, 3, 3, 2, true)).containsExactly(2);
    }

    @Test
    void aSavepointIsACompleteCopyWithItsDescriptorAndSaysWhatDoesNotMatch() throws Exception {
        Path chk = dir.resolve("checkpoints/chk-7");
        Files.createDirectories(chk);
        Files.write(chk.resolve("0-0.state"), new byte[] {1, 2});
        Files.write(chk.resolve("3-1.state"), new byte[] {3});
        Files.writeString(chk.resolve("_metadata"), "checkpoint 7\n");
        List<String> operators = List.of("0:Text source, events.csv", "3:Window, sum");
        Savepoint sp = new Savepoint(
                "stream-4",
                7,
                128,
                operators,
                List.of(new Savepoint.Head(0, 2, true), new Savepoint.Head(3, 2, false)));
        Path target = dir.resolve("savepoints/stream-4-7");
        LocalFileSystem fs = LocalFileSystem.INSTANCE;
        sp.writeFrom(fs, chk.toString(), fs, target.toString());

        assertThat(Savepoint.read(fs, target.toString())).isEqualTo(sp);
        assertThat(Savepoint.readState(fs, target.toString(), "3-1")).containsExactly(3);
        assertThat(Files.readString(target.resolve("_metadata"), StandardCharsets.UTF_8))
                .isEqualTo("checkpoint 7\n");
        List<String> left = new ArrayList<>();
        try (var files = Files.list(dir.resolve("savepoints"))) {
            files.forEach(f -> left.add(f.getFileName().toString()));
        }
        assertThat(left).containsExactly("stream-4-7"); // no temp directory left
        assertThatThrownBy(() -> sp.writeFrom(fs, chk.toString(), fs, target.toString()))
                .hasMessageContaining("already exists");

        assertThat(sp.mismatch(target.toString(), 128, operators, List.of(3, 0)))
                .isNull();
        assertThat(sp.mismatch(
                        target.toString(), 128, List.of("0:Text source, events.csv", "3:Window, max"), List.of(0, 3)))
                .isEqualTo("savepoint " + target
                        + " was taken from a job with operators [0:Text source, events.csv, 3:Window, sum],"
                        + " this job has [0:Text source, events.csv, 3:Window, max]");
        assertThat(sp.mismatch(target.toString(), 64, operators, List.of(0, 3))).contains("max parallelism 128");
        assertThatThrownBy(() -> Savepoint.read(fs, dir.resolve("nope").toString()))
                .hasMessage("savepoint " + dir.resolve("nope") + " does not exist");
    }
}
