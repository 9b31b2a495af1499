package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.coord.internal.tree.Acl;
import dev.cairn.coord.internal.tree.Applied;
import dev.cairn.coord.internal.tree.CreateMode;
import dev.cairn.coord.internal.tree.DataTree;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the coord's state keeps of the segments it applied ({@link AppliedSegments}), across snapshots. */
class CoordStateMachineSnapshotTest {
    private final List<String> told = new ArrayList<>();

    private final CoordStateMachine.Listener listener = new CoordStateMachine.Listener() {
        @Override
        public void applied(long zxid, Txn txn, Applied applied) {}

        @Override
        public void ownSegmentApplied(long seq, List<Result> results) {
            told.add("applied " + seq);
        }

        @Override
        public void ownSegmentDropped(long seq) {
            told.add("dropped " + seq);
        }

        @Override
        public void touched(List<Long> sessionIds) {}

        @Override
        public void restored() {}
    };

    private static byte[] entry(String origin, long incarnation, long seq, String sequentialPath) {
        Txn create = new Txn.Create(
                sequentialPath, new byte[0], Acl.OPEN, CreateMode.PERSISTENT_SEQUENTIAL, -1, 0, List.of(Id.ANYONE));
        return new CoordEntry.Batch(1_000, List.of(new CoordEntry.Segment(origin, incarnation, seq, List.of(create))))
                .encode();
    }

    private static byte[] entry(String origin, long incarnation, long run, long seq, String sequentialPath) {
        Txn create = new Txn.Create(
                sequentialPath, new byte[0], Acl.OPEN, CreateMode.PERSISTENT_SEQUENTIAL, -1, 0, List.of(Id.ANYONE));
        return new CoordEntry.Batch(
                        1_000, List.of(new CoordEntry.Segment(origin, incarnation, run, seq, List.of(create))))
                .encode();
    }

    private static int nodes(CoordStateMachine state, String prefix) {
        return (int) state.read(t -> t.children("/")).stream()
                .filter(c -> c.startsWith(prefix))
                .count();
    }

    @Test
    void aSnapshotRemembersWhichSegmentsWereAppliedSoThatARestoredMemberDropsTheSameCopies() throws IOException {
        CoordStateMachine state = new CoordStateMachine(1 << 20, "m1", 7, listener);
        state.apply(1, entry("m1", 7, 4, "/own-"));
        state.apply(2, entry("m2", 9, 1, "/other-"));
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        state.writeSnapshot(snapshot);

        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m3", 5, listener);
        restored.readSnapshot(2, new ByteArrayInputStream(snapshot.toByteArray()));
        restored.apply(3, entry("m1", 7, 4, "/own-"));
        restored.apply(4, entry("m2", 9, 1, "/other-"));
        restored.apply(5, entry("m2", 9, 2, "/other-"));
        restored.apply(6, entry("m1", 8, 1, "/own-"));

        assertThat(nodes(restored, "own-"))
                .as("seq 4 of m1's run 7 once; run 8 is another run")
                .isEqualTo(2);
        assertThat(nodes(restored, "other-")).as("m2's seq 1 once, then seq 2").isEqualTo(2);
        assertThat(told).as("only m1's run 7 heard of its segment").containsExactly("applied 4");
    }

    @Test
    void theOwnMemberIsToldOfADroppedCopyAndSegmentsOfOldLogsAreAlwaysApplied() {
        CoordStateMachine state = new CoordStateMachine(1 << 20, "m1", 7, listener);
        state.apply(1, entry("m1", 7, 2, "/a-"));
        state.apply(2, entry("m1", 7, 1, "/a-"));
        state.apply(3, entry("m1", 7, 2, "/a-"));
        state.apply(4, entry("m1", CoordEntry.NO_INCARNATION, 0, "/old-"));
        state.apply(5, entry("m1", CoordEntry.NO_INCARNATION, 0, "/old-"));

        assertThat(told).containsExactly("applied 2", "dropped 1", "dropped 2");
        assertThat(nodes(state, "a-")).isEqualTo(1);
        assertThat(nodes(state, "old-"))
                .as("no run named: nothing to tell copies by")
                .isEqualTo(2);
        assertThat(state.lastApplied())
                .as("a dropped segment's entry is still applied")
                .isEqualTo(5);
    }

    @Test
    void aSnapshotWrittenBeforeSegmentsWereRecordedRestoresAndOneWithTrailingBytesIsRefused() throws IOException {
        ByteArrayOutputStream treeOnly = new ByteArrayOutputStream();
        DataTree tree = new DataTree(1 << 20);
        tree.apply(
                CoordStateMachine.zxid(1, 0),
                1_000,
                new Txn.Create("/kept", new byte[0], Acl.OPEN, CreateMode.PERSISTENT, -1, 0, List.of(Id.ANYONE)));
        tree.writeSnapshot(new DataOutputStream(treeOnly));

        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m1", 7, listener);
        restored.readSnapshot(1, new ByteArrayInputStream(treeOnly.toByteArray()));
        boolean kept = restored.read(t -> t.get("/kept").isPresent());
        assertThat(kept).isTrue();

        byte[] garbage = java.util.Arrays.copyOf(treeOnly.toByteArray(), treeOnly.size() + 8);
        assertThatThrownBy(() -> restored.readSnapshot(1, new ByteArrayInputStream(garbage)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unexpected section");
    }

    @Test
    void aRunsSegmentsApplyInSeqOrderWithNoneMissingAndNoneOnceALaterRunApplied() {
        AppliedSegments segments = new AppliedSegments();
        assertThat(segments.admit("m", 7, 1, 2)).as("not the first of run 1").isFalse();
        assertThat(segments.admit("m", 7, 1, 1)).isTrue();
        assertThat(segments.admit("m", 7, 1, 3)).as("seq 2 missing").isFalse();
        assertThat(segments.admit("m", 7, 1, 2)).isTrue();
        assertThat(segments.admit("m", 7, 1, 2)).as("again").isFalse();
        assertThat(segments.admit("m", 7, 5, 6)).as("not the first of run 5").isFalse();
        assertThat(segments.admit("m", 7, 5, 5)).as("the first of a later run").isTrue();
        assertThat(segments.admit("m", 7, 1, 3)).as("run 1 superseded").isFalse();
        assertThat(segments.admit("m", 7, 5, 6)).isTrue();
        assertThat(segments.admit("m", 8, 1, 1)).as("another incarnation").isTrue();
        assertThat(segments.admit("m", 7, 3, 3))
                .as("an earlier run, never applied")
                .isFalse();
    }

    @Test
    void theOwnMemberIsToldOfASegmentAfterAMissingOneAndASnapshotKeepsTheRun() throws IOException {
        CoordStateMachine state = new CoordStateMachine(1 << 20, "m1", 7, listener);
        state.apply(1, entry("m1", 7, 1, 1, "/a-"));
        state.apply(2, entry("m1", 7, 1, 3, "/a-")); // 2 was lost on its way
        state.apply(3, entry("m1", 7, 4, 4, "/a-")); // the run after the loss
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        state.writeSnapshot(snapshot);
        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m3", 5, listener);
        restored.readSnapshot(3, new ByteArrayInputStream(snapshot.toByteArray()));
        restored.apply(4, entry("m1", 7, 1, 2, "/a-")); // 2 after all, too late
        restored.apply(5, entry("m1", 7, 4, 5, "/a-"));

        assertThat(told).containsExactly("applied 1", "dropped 3", "applied 4");
        assertThat(nodes(restored, "a-")).as("1, 4 and 5").isEqualTo(3);
    }

    @Test
    void aSnapshotWrittenBeforeRunsWereRecordedStillLoads() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        new DataTree(1 << 20).writeSnapshot(out);
        out.writeInt(0x435a5331); // "CZS1": origin, incarnation, highest seq
        out.writeInt(1);
        out.writeUTF("m2");
        out.writeLong(9);
        out.writeLong(4);
        out.flush();

        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m1", 7, listener);
        restored.readSnapshot(1, new ByteArrayInputStream(bytes.toByteArray()));
        restored.apply(2, entry("m2", 9, 4, "/old-"));
        restored.apply(3, entry("m2", 9, 6, "/old-"));
        restored.apply(4, entry("m2", 9, 7, 7, "/new-"));

        assertThat(nodes(restored, "old-"))
                .as("seq 4 applied before the snapshot; 6 by seq alone, as then")
                .isEqualTo(1);
        assertThat(nodes(restored, "new-")).as("a run after them").isEqualTo(1);
    }

    @Test
    void theRunsHeardFromLeastRecentlyAreForgottenBeyondTheBound() {
        AppliedSegments segments = new AppliedSegments();
        for (int run = 1; run <= AppliedSegments.MAX_RUNS; run++)
            assertThat(segments.admit("m", run, 1)).isTrue();
        assertThat(segments.admit("m", 1, 2))
                .as("run 1 heard from again: now the most recent")
                .isTrue();
        assertThat(segments.admit("m", AppliedSegments.MAX_RUNS + 1, 1)).isTrue();

        assertThat(segments.runs()).isEqualTo(AppliedSegments.MAX_RUNS);
        assertThat(segments.admit("m", 1, 2)).as("run 1 kept").isFalse();
        assertThat(segments.admit("m", 2, 1))
                .as("run 2, the least recent, forgotten")
                .isTrue();
    }
}
