package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.time.ManualClock;
import dev.cairn.coord.internal.tree.Acl;
import dev.cairn.coord.internal.tree.Applied;
import dev.cairn.coord.internal.tree.CreateMode;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Stat;
import dev.cairn.coord.internal.tree.Txn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Group commit, driven by hand: a fake Raft group records what the batcher replicates and
 * commits it only when the test says so, applying it to a real {@link CoordStateMachine}.
 */
class ProposalBatcherTest {
    private static final List<Id> ANYONE = List.of(Id.ANYONE);

    /** A Raft group of one, committed by hand: entries are applied to the state in log order on {@link #commitNext}. */
    private static final class ManualRaft {
        final CoordStateMachine state = new CoordStateMachine(1 << 20, "m1", new RecordingListener());
        final ArrayDeque<CompletableFuture<byte[]>> replies = new ArrayDeque<>();
        final ArrayDeque<byte[]> uncommitted = new ArrayDeque<>();
        final List<CoordEntry> log = new ArrayList<>();
        long lastIndex;

        CompletableFuture<byte[]> replicate(byte[] entry) {
            log.add(CoordEntry.decode(entry));
            uncommitted.add(entry);
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        /** Commits and applies the oldest outstanding entry, then answers its proposer. */
        void commitNext() {
            byte[] reply = state.apply(++lastIndex, uncommitted.poll());
            replies.poll().complete(reply);
        }

        void failNext(Exception e) {
            uncommitted.poll();
            replies.poll().completeExceptionally(e);
        }

        CoordEntry.Batch batch(int i) {
            return (CoordEntry.Batch) log.get(i);
        }
    }

    /** Records what the state machine tells its owner. */
    private static final class RecordingListener implements CoordStateMachine.Listener {
        final List<Long> zxids = new ArrayList<>();

        @Override
        public void applied(long zxid, Txn txn, Applied applied) {
            zxids.add(zxid);
        }

        @Override
        public void touched(List<Long> sessionIds) {}

        @Override
        public void restored() {}
    }

    private final ManualRaft raft = new ManualRaft();
    private final ManualClock clock = new ManualClock(1_000_000);

    private ProposalBatcher batcher(int maxBatchBytes) {
        return new ProposalBatcher(raft::replicate, raft.state, clock, Runnable::run, maxBatchBytes, java.time.Duration.ofSeconds(10));
    }

    private static Txn create(String path) {
        return new Txn.Create(path, new byte[] {1}, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANYONE);
    }

    private static Txn setData(String path, int bytes) {
        return new Txn.SetData(path, new byte[bytes], -1, ANYONE);
    }

    @Test
    void aChangeProposedWhileNothingIsInFlightLeavesAtOnceAlone() {
        ProposalBatcher b = batcher(1 << 20);
        CompletableFuture<Result> r = b.propose(create("/a"));

        assertThat(raft.log).hasSize(1);
        assertThat(raft.batch(0).txns()).extracting(t -> ((Txn.Create) t).path()).containsExactly("/a");
        assertThat(r).isNotDone();
        raft.commitNext();
        assertThat(r.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void changesProposedMeanwhileWaitAndThenShareOneEntryInOrder() {
        ProposalBatcher b = batcher(1 << 20);
        CompletableFuture<Result> first = b.propose(create("/a"));
        List<CompletableFuture<Result>> more = IntStream.range(0, 5).mapToObj(i -> b.propose(create("/a/" + i))).toList();
        assertThat(raft.log).as("one entry in flight at a time").hasSize(1);

        raft.commitNext();

        assertThat(first.join()).isInstanceOf(Result.Created.class);
        assertThat(raft.log).hasSize(2);
        assertThat(raft.batch(1).txns()).extracting(t -> ((Txn.Create) t).path()).containsExactly("/a/0", "/a/1", "/a/2", "/a/3", "/a/4");
        assertThat(more).noneMatch(CompletableFuture::isDone);
        raft.commitNext();
        for (int i = 0; i < 5; i++) {
            Stat stat = ((Result.Created) more.get(i).join()).stat();
            assertThat(stat.czxid()).as("each change has its own zxid, from the entry's index and its position")
                    .isEqualTo(CoordStateMachine.zxid(2, i));
        }
        assertThat(raft.state.lastZxid()).isEqualTo(CoordStateMachine.zxid(2, 4));
    }

    @Test
    void aBatchStopsAtTheByteBoundExceptForAChangeThatIsLargerAlone() {
        raft.state.apply(1, new CoordEntry.Batch("m1", 0, List.of(create("/n"))).encode());
        raft.lastIndex = 1;
        ProposalBatcher b = batcher(1000);
        b.propose(setData("/n", 1));
        b.propose(setData("/n", 400));
        b.propose(setData("/n", 400));
        b.propose(setData("/n", 400));
        b.propose(setData("/n", 5000));
        b.propose(setData("/n", 1));

        raft.commitNext();
        assertThat(raft.batch(1).txns()).hasSize(2);
        raft.commitNext();
        assertThat(raft.batch(2).txns()).hasSize(1);
        raft.commitNext();
        assertThat(raft.batch(3).txns()).as("larger than the bound, alone").hasSize(1);
        raft.commitNext();
        assertThat(raft.batch(4).txns()).hasSize(1);
        raft.commitNext();
        assertThat(raft.log).hasSize(5);
    }

    @Test
    void aBatchHoldsAtMostMaxBatchChanges() {
        ProposalBatcher b = batcher(1 << 30);
        b.propose(create("/first"));
        List<CompletableFuture<Result>> rest = IntStream.range(0, CoordStateMachine.MAX_BATCH + 3)
                .mapToObj(i -> b.propose(create("/n" + i))).toList();

        raft.commitNext();
        assertThat(raft.batch(1).txns()).hasSize(CoordStateMachine.MAX_BATCH);
        raft.commitNext();
        assertThat(raft.batch(2).txns()).hasSize(3);
        raft.commitNext();
        assertThat(rest).allMatch(f -> f.join() instanceof Result.Created);
    }

    @Test
    void aResultWaitsForTheLocalApplyNotJustTheLeadersReply() {
        CoordStateMachine follower = new CoordStateMachine(1 << 20, "m1", new RecordingListener());
        List<byte[]> entries = new ArrayList<>();
        CompletableFuture<byte[]> leaderReply = new CompletableFuture<>();
        ProposalBatcher b = new ProposalBatcher(e -> {
            entries.add(e);
            return leaderReply;
        }, follower, clock, Runnable::run, 1 << 20, java.time.Duration.ofSeconds(10));
        CompletableFuture<Result> r = b.propose(create("/a"));

        leaderReply.complete(ByteBuffer.allocate(8).putLong(1).array());
        assertThat(r).as("committed, but not yet applied on this member").isNotDone();
        follower.apply(1, entries.get(0));
        assertThat(r.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void aFailedEntryFailsItsChangesOnlyAndTheNextBatchStillLeaves() {
        ProposalBatcher b = batcher(1 << 20);
        CompletableFuture<Result> first = b.propose(create("/a"));
        CompletableFuture<Result> second = b.propose(create("/b"));

        raft.failNext(new IOException("no leader"));
        assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThat(second).isNotDone();
        raft.commitNext();
        assertThat(second.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void aChangeFailsOnceTheTimeoutPassesWithoutItsEntryApplied() {
        ProposalBatcher b = new ProposalBatcher(raft::replicate, raft.state, clock, Runnable::run, 1 << 20, java.time.Duration.ofMillis(100));
        CompletableFuture<Result> r = b.propose(create("/a"));

        assertThatThrownBy(r::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        raft.commitNext();
        java.util.Optional<dev.cairn.coord.internal.tree.NodeView> node = raft.state.read(t -> t.get("/a"));
        assertThat(node).as("applied after all, as a request whose answer was lost may be").isPresent();
    }

    @Test
    void everyChangeOfABatchIsStampedWithTheTimeItLeft() {
        ProposalBatcher b = batcher(1 << 20);
        b.propose(create("/a"));
        clock.advance(5, java.util.concurrent.TimeUnit.SECONDS);
        b.propose(create("/b"));
        b.propose(create("/c"));
        raft.commitNext();

        assertThat(raft.batch(0).timeMs()).isEqualTo(1_000_000);
        assertThat(raft.batch(1).timeMs()).isEqualTo(1_005_000);
    }

    @Test
    void entriesRoundTripAndALegacySingleChangeDecodesAsABatchOfOne() throws IOException {
        CoordEntry.Batch batch = new CoordEntry.Batch("m2", 42, List.of(create("/a"), setData("/a", 3)));
        // Records holding byte arrays compare by identity: compare the encodings.
        assertThat(CoordEntry.decode(batch.encode()).encode()).isEqualTo(batch.encode());
        CoordEntry.Touch touch = new CoordEntry.Touch(List.of(1L, 2L));
        assertThat(CoordEntry.decode(touch.encode())).isEqualTo(touch);

        ByteArrayOutputStream legacy = new ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(legacy);
        byte[] txn = create("/a").encode();
        out.writeByte(CoordEntry.CHANGE);
        out.writeLong(7);
        out.writeInt(txn.length);
        out.write(txn);
        assertThat(CoordEntry.decode(legacy.toByteArray()).encode())
                .isEqualTo(new CoordEntry.Batch(CoordEntry.NO_ORIGIN, 7, List.of(create("/a"))).encode());

        ByteArrayOutputStream unnamed = new ByteArrayOutputStream(); // a batch from before batches named their origin
        out = new java.io.DataOutputStream(unnamed);
        out.writeByte(CoordEntry.BATCH);
        out.writeLong(8);
        out.writeInt(1);
        out.writeInt(txn.length);
        out.write(txn);
        CoordEntry.Batch decoded = (CoordEntry.Batch) CoordEntry.decode(unnamed.toByteArray());
        assertThat(decoded.origin()).isEqualTo(CoordEntry.NO_ORIGIN);
        assertThat(decoded.timeMs()).isEqualTo(8);
        assertThat(decoded.encode()).isEqualTo(new CoordEntry.Batch(CoordEntry.NO_ORIGIN, 8, List.of(create("/a"))).encode());
    }

    @Test
    void onlyTheMemberThatProposedABatchKeepsItsResults() {
        CoordStateMachine other = new CoordStateMachine(1 << 20, "m2", new RecordingListener());
        byte[] fromM1 = new CoordEntry.Batch("m1", 0, List.of(create("/a"), create("/b"))).encode();
        raft.state.apply(1, fromM1);
        other.apply(1, fromM1);

        assertThat(raft.state.takeResult(CoordStateMachine.zxid(1, 1))).isInstanceOf(Result.Created.class);
        assertThatThrownBy(() -> raft.state.takeResult(CoordStateMachine.zxid(1, 1))).as("taken once")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> other.takeResult(CoordStateMachine.zxid(1, 0))).as("m2 proposed nothing")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no result");
        assertThat(other.lastZxid()).as("but applied it all the same").isEqualTo(raft.state.lastZxid());
    }

    @Test
    void zxidsGrowAcrossEntriesAndAnEntryWithoutChangesStillMovesLastZxid() throws IOException {
        CoordStateMachine state = raft.state;
        state.apply(3, new CoordEntry.Batch("m1", 0, List.of(create("/a"), create("/b"))).encode());
        assertThat(state.lastZxid()).isEqualTo(CoordStateMachine.zxid(3, 1));
        state.apply(4, new CoordEntry.Touch(List.of(9L)).encode());
        assertThat(state.lastZxid()).isEqualTo(CoordStateMachine.zxid(4, 0)).isGreaterThan(CoordStateMachine.zxid(3, CoordStateMachine.MAX_BATCH - 1));
        assertThat(state.lastApplied()).isEqualTo(4);

        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        state.writeSnapshot(snapshot);
        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m1", new RecordingListener());
        restored.readSnapshot(4, new ByteArrayInputStream(snapshot.toByteArray()));
        assertThat(restored.lastApplied()).isEqualTo(4);
        assertThat(restored.lastZxid()).isEqualTo(state.lastZxid());
        assertThat(restored.awaitApplied(4)).isDone();
    }
}
