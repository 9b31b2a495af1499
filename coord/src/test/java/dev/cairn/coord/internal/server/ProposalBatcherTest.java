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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Group commit, driven by hand: members with real {@link CoordStateMachine}s and batchers, over a
 * fake Raft group that records the entries proposed and commits them (applying each to every
 * member, in log order) only when the test says so. Forwarding hands a segment straight to the
 * leader's batcher; senders run inline.
 */
class ProposalBatcherTest {
    private static final List<Id> ANYONE = List.of(Id.ANYONE);

    private final ManualClock clock = new ManualClock(1_000_000);

    /** The group: its members, its leader, its log. */
    private final class Group {
        final List<Member> members = new ArrayList<>();
        final ArrayDeque<CompletableFuture<byte[]>> replies = new ArrayDeque<>();
        final ArrayDeque<byte[]> uncommitted = new ArrayDeque<>();
        final List<CoordEntry> log = new ArrayList<>();
        Member leader;
        long lastIndex;

        Member add(String id, long incarnation, int maxBatchBytes, Duration timeout) {
            return add(id, incarnation, maxBatchBytes, timeout, Runnable::run);
        }

        Member add(
                String id,
                long incarnation,
                int maxBatchBytes,
                Duration timeout,
                java.util.concurrent.Executor sender) {
            Member m = new Member(this, id, incarnation, maxBatchBytes, timeout, sender);
            members.add(m);
            return m;
        }

        CompletableFuture<byte[]> replicate(byte[] entry) {
            log.add(CoordEntry.decode(entry));
            uncommitted.add(entry);
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        /** Commits the oldest outstanding entry, applies it on every member, then answers its proposer. */
        void commitNext() {
            byte[] entry = uncommitted.poll();
            long index = ++lastIndex;
            byte[] reply = null;
            for (Member m : members) reply = m.state.apply(index, entry);
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

    /** One member: a state machine and its batcher, routed through the group. */
    private final class Member implements ProposalBatcher.Raft, CoordStateMachine.Listener {
        final Group group;
        final String id;
        final CoordStateMachine state;
        final ProposalBatcher batcher;
        final List<Long> zxids = new ArrayList<>();
        IOException forwardFailure;
        /** Forwarding needs no wait (a connection to the leader is open and takes bytes). */
        boolean connected = true;

        int forwards;
        int inlineForwards;

        Member(
                Group group,
                String id,
                long incarnation,
                int maxBatchBytes,
                Duration timeout,
                java.util.concurrent.Executor sender) {
            this.group = group;
            this.id = id;
            this.state = new CoordStateMachine(1 << 20, id, incarnation, this);
            this.batcher = new ProposalBatcher(this, state, clock, sender, maxBatchBytes, timeout);
        }

        @Override
        public String tryForward(List<byte[]> segments) throws IOException {
            if (!connected) return null;
            String leader = forward(segments);
            if (leader != null) inlineForwards++;
            return leader;
        }

        @Override
        public boolean forwardPending() {
            return false;
        }

        @Override
        public void flushForwarded() {}

        @Override
        public boolean isLeader() {
            return group.leader == this;
        }

        @Override
        public String forward(List<byte[]> segments) throws IOException {
            if (group.leader == null || group.leader == this) return null;
            if (forwardFailure != null) throw forwardFailure;
            forwards++;
            for (byte[] s : segments) group.leader.batcher.forwarded(s);
            return group.leader.id;
        }

        @Override
        public CompletableFuture<byte[]> propose(byte[] entry) {
            return group.replicate(entry);
        }

        @Override
        public void applied(long zxid, Txn txn, Applied applied) {
            zxids.add(zxid);
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
        public void touched(List<Long> sessionIds) {}

        @Override
        public void restored() {}
    }

    private final Group group = new Group();

    /** A member with the usual bounds: 1 MiB batches, 10 s timeout. */
    private Member member(String id, long incarnation) {
        return group.add(id, incarnation, 1 << 20, Duration.ofSeconds(10));
    }

    /** A group of two where m1 leads: the follower, m2. */
    private Member followerOfM1() {
        group.leader = member("m1", 11);
        return member("m2", 22);
    }

    /** A group of one, which leads. */
    private Member alone(int maxBatchBytes) {
        Member m = group.add("m1", 11, maxBatchBytes, Duration.ofSeconds(10));
        group.leader = m;
        return m;
    }

    private static Txn create(String path) {
        return new Txn.Create(path, new byte[] {1}, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANYONE);
    }

    private static List<String> children(CoordStateMachine state) {
        return state.read(t -> t.children("/"));
    }

    private static Txn sequential(String path) {
        return new Txn.Create(path, new byte[] {1}, Acl.OPEN, CreateMode.PERSISTENT_SEQUENTIAL, -1, 0, ANYONE);
    }

    private static Txn setData(String path, int bytes) {
        return new Txn.SetData(path, new byte[bytes], -1, ANYONE);
    }

    private static List<String> paths(CoordEntry.Batch batch) {
        return batch.segments().stream()
                .flatMap(s -> s.txns().stream())
                .map(t -> ((Txn.Create) t).path())
                .toList();
    }

    private static int changes(CoordEntry.Batch batch) {
        return batch.segments().stream().mapToInt(s -> s.txns().size()).sum();
    }

    /** A client connection, as the batcher sees it. */
    private static final class TestSource implements ProposalBatcher.Source {
        boolean lost;

        @Override
        public boolean lost() {
            return lost;
        }

        @Override
        public void markLost() {
            lost = true;
        }
    }

    /**
     * A client pipelines: when one of a member's segments is lost (here: not answered in time),
     * the later ones still waiting fail with it and never leave, and the clients whose changes
     * failed propose nothing more — so no session has a change applied after an earlier one of
     * its was lost.
     */
    @Test
    void aLostSegmentTakesTheLaterWaitingOnesWithItAndItsClientsProposeNoMore() {
        ArrayDeque<Runnable> sends = new ArrayDeque<>();
        group.leader = member("m1", 11);
        Member follower = group.add("m2", 22, 1 << 20, Duration.ofSeconds(10), sends::add);
        follower.connected = false;
        TestSource first = new TestSource();
        TestSource second = new TestSource();
        CompletableFuture<Result> a = follower.batcher.propose(create("/a"), first);
        CompletableFuture<Result> b = follower.batcher.propose(create("/b"), first);
        CompletableFuture<Result> c = follower.batcher.propose(create("/c"), second);
        assertThat(sends)
                .as("the first segment waits for the sender, the rest behind it")
                .hasSize(1);

        clock.advance(11, java.util.concurrent.TimeUnit.SECONDS);
        follower.batcher.expire();

        assertThat(List.of(a, b, c)).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(first.lost).isTrue();
        assertThat(second.lost).isTrue();
        assertThat(follower.batcher.propose(create("/d"), first))
                .as("a client whose change was lost proposes no more")
                .isCompletedExceptionally();
        // The sender still forwards the first segment (its outcome was unknown); nothing after it leaves.
        while (!sends.isEmpty()) sends.poll().run();
        while (!group.uncommitted.isEmpty()) group.commitNext();
        assertThat(children(group.leader.state)).contains("a").doesNotContain("b", "c");
        assertThat(follower.batcher.propose(create("/e")))
                .as("the member's own changes go on")
                .isNotDone();
    }

    @Test
    void aChangeProposedWhileNothingIsInFlightLeavesAtOnceAlone() {
        Member m = alone(1 << 20);
        CompletableFuture<Result> r = m.batcher.propose(create("/a"));

        assertThat(group.log).hasSize(1);
        assertThat(paths(group.batch(0))).containsExactly("/a");
        assertThat(r).isNotDone();
        group.commitNext();
        assertThat(r.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void changesProposedMeanwhileWaitAndThenShareOneEntryInOrder() {
        Member m = alone(1 << 20);
        CompletableFuture<Result> first = m.batcher.propose(create("/a"));
        List<CompletableFuture<Result>> more = IntStream.range(0, 5)
                .mapToObj(i -> m.batcher.propose(create("/a/" + i)))
                .toList();
        assertThat(group.log).as("one entry in flight at a time").hasSize(1);

        group.commitNext();

        assertThat(first.join()).isInstanceOf(Result.Created.class);
        assertThat(group.log).hasSize(2);
        assertThat(paths(group.batch(1))).containsExactly("/a/0", "/a/1", "/a/2", "/a/3", "/a/4");
        assertThat(group.batch(1).segments())
                .as("one segment of this member's changes")
                .hasSize(1);
        assertThat(more).noneMatch(CompletableFuture::isDone);
        group.commitNext();
        for (int i = 0; i < 5; i++) {
            Stat stat = ((Result.Created) more.get(i).join()).stat();
            assertThat(stat.czxid())
                    .as("each change has its own zxid, from the entry's index and its position")
                    .isEqualTo(CoordStateMachine.zxid(2, i));
        }
        assertThat(m.state.lastZxid()).isEqualTo(CoordStateMachine.zxid(2, 4));
    }

    @Test
    void aBatchStopsAtTheByteBoundExceptForAChangeThatIsLargerAlone() {
        Member m = alone(1000);
        m.state.apply(1, batch("m1", 0, 0, create("/n")).encode());
        group.lastIndex = 1;
        m.batcher.propose(setData("/n", 1));
        m.batcher.propose(setData("/n", 400));
        m.batcher.propose(setData("/n", 400));
        m.batcher.propose(setData("/n", 400));
        m.batcher.propose(setData("/n", 5000));
        m.batcher.propose(setData("/n", 1));

        group.commitNext();
        assertThat(changes(group.batch(1))).isEqualTo(2);
        group.commitNext();
        assertThat(changes(group.batch(2))).isEqualTo(1);
        group.commitNext();
        assertThat(changes(group.batch(3))).as("larger than the bound, alone").isEqualTo(1);
        group.commitNext();
        assertThat(changes(group.batch(4))).isEqualTo(1);
        group.commitNext();
        assertThat(group.log).hasSize(5);
    }

    @Test
    void aBatchHoldsAtMostMaxBatchChanges() {
        Member m = alone(1 << 30);
        m.batcher.propose(create("/first"));
        List<CompletableFuture<Result>> rest = IntStream.range(0, CoordStateMachine.MAX_BATCH + 3)
                .mapToObj(i -> m.batcher.propose(create("/n" + i)))
                .toList();

        group.commitNext();
        assertThat(changes(group.batch(1))).isEqualTo(CoordStateMachine.MAX_BATCH);
        group.commitNext();
        assertThat(changes(group.batch(2))).isEqualTo(3);
        group.commitNext();
        assertThat(rest).allMatch(f -> f.join() instanceof Result.Created);
    }

    @Test
    void theLeaderPutsItsOwnAndForwardedChangesInOneEntryAndEachMemberLearnsItsResultsByApplying() {
        Member m1 = member("m1", 11);
        Member m2 = member("m2", 22);
        Member m3 = member("m3", 33);
        group.leader = m2;
        CompletableFuture<Result> first = m2.batcher.propose(create("/first"));
        assertThat(group.log).hasSize(1);

        CompletableFuture<Result> a = m1.batcher.propose(create("/a"));
        CompletableFuture<Result> b = m2.batcher.propose(create("/b"));
        CompletableFuture<Result> c = m3.batcher.propose(create("/c"));
        CompletableFuture<Result> a2 = m1.batcher.propose(create("/a2"));
        assertThat(m1.forwards)
                .as("a follower forwards at once, without waiting for a commit")
                .isEqualTo(2);
        assertThat(group.log).as("the leader's entry is still in flight").hasSize(1);

        group.commitNext();
        assertThat(first.join()).isInstanceOf(Result.Created.class);
        assertThat(group.log).hasSize(2);
        CoordEntry.Batch second = group.batch(1);
        assertThat(paths(second)).as("arrival order").containsExactly("/a", "/b", "/c", "/a2");
        assertThat(second.segments()).extracting(CoordEntry.Segment::origin).containsExactly("m1", "m2", "m3", "m1");
        assertThat(List.of(a, b, c, a2)).noneMatch(CompletableFuture::isDone);

        group.commitNext();
        assertThat(((Result.Created) a.join()).stat().czxid()).isEqualTo(CoordStateMachine.zxid(2, 0));
        assertThat(((Result.Created) b.join()).stat().czxid()).isEqualTo(CoordStateMachine.zxid(2, 1));
        assertThat(((Result.Created) c.join()).stat().czxid()).isEqualTo(CoordStateMachine.zxid(2, 2));
        assertThat(((Result.Created) a2.join()).stat().czxid()).isEqualTo(CoordStateMachine.zxid(2, 3));
        assertThat(m1.state.lastZxid()).isEqualTo(m3.state.lastZxid()).isEqualTo(CoordStateMachine.zxid(2, 3));
    }

    @Test
    void aResultWaitsForTheLocalApplyNotJustTheCommit() {
        Member m1 = member("m1", 11);
        Member m2 = member("m2", 22);
        group.leader = m2;
        group.members.remove(m1); // m1 applies by hand, late
        CompletableFuture<Result> r = m1.batcher.propose(create("/a"));

        group.commitNext();
        assertThat(r)
                .as("committed and applied on the leader, but not yet on this member")
                .isNotDone();
        m1.state.apply(1, group.log.get(0).encode());
        assertThat(r.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void aFollowerHandsAChangeToTheLeaderOnTheProposingThreadWhenThatNeedsNoWaitAndLeavesTheRestToItsSender() {
        ArrayDeque<Runnable> senderTasks = new ArrayDeque<>();
        Member m1 = group.add("m1", 11, 1 << 20, Duration.ofSeconds(10), senderTasks::add);
        Member m2 = member("m2", 22);
        group.leader = m2;

        CompletableFuture<Result> a = m1.batcher.propose(create("/a"));
        assertThat(m1.inlineForwards).isEqualTo(1);
        assertThat(senderTasks).as("nothing left for the sender").isEmpty();
        group.commitNext();
        assertThat(a.join()).isInstanceOf(Result.Created.class);

        m1.connected = false; // e.g. the leader changed: a connection must be opened, which may wait
        CompletableFuture<Result> b = m1.batcher.propose(create("/b"));
        CompletableFuture<Result> c = m1.batcher.propose(create("/c"));
        assertThat(m1.forwards).isEqualTo(1);
        assertThat(senderTasks).hasSize(1);
        senderTasks.poll().run();
        assertThat(m1.forwards)
                .as("the sender forwards the first change, then what waited meanwhile")
                .isEqualTo(3);
        assertThat(senderTasks).isEmpty();
        group.commitNext();
        group.commitNext();
        assertThat(paths(group.batch(1))).containsExactly("/b");
        assertThat(paths(group.batch(2)))
                .as("arrived while the leader's entry was in flight")
                .containsExactly("/c");
        assertThat(List.of(b.join(), c.join())).allMatch(r -> r instanceof Result.Created);
    }

    @Test
    void aNewLeaderFailsTheChangesForwardedToTheOldOneAndTheRestGoToTheNewOne() {
        Member m1 = member("m1", 11);
        Member m2 = member("m2", 22);
        Member m3 = member("m3", 33);
        group.leader = m2;
        CompletableFuture<Result> lost = m1.batcher.propose(create("/lost"));
        group.failNext(new IOException("m2 stepped down"));

        group.leader = m3;
        m1.batcher.leaderChanged("m3");
        assertThatThrownBy(lost::get).isInstanceOf(ExecutionException.class).hasMessageContaining("m2 was replaced");
        CompletableFuture<Result> next = m1.batcher.propose(create("/next"));
        group.commitNext();
        assertThat(next.join()).isInstanceOf(Result.Created.class);
        assertThat(group.batch(1).segments())
                .extracting(CoordEntry.Segment::origin)
                .containsExactly("m1");
    }

    @Test
    void aChangeThatCannotBeForwardedFailsAndTheNextStillLeaves() {
        Member m1 = member("m1", 11);
        Member m2 = member("m2", 22);
        group.leader = m2;
        m1.forwardFailure = new IOException("connection refused");
        CompletableFuture<Result> failed = m1.batcher.propose(create("/a"));
        assertThatThrownBy(failed::get)
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("connection refused");

        m1.forwardFailure = null;
        CompletableFuture<Result> next = m1.batcher.propose(create("/b"));
        group.commitNext();
        assertThat(next.join()).isInstanceOf(Result.Created.class);
        java.util.Optional<dev.cairn.coord.internal.tree.NodeView> a = m1.state.read(t -> t.get("/a"));
        assertThat(a).isEmpty();
    }

    @Test
    void aMemberThatKnowsNoLeaderProposesItself() {
        Member m1 = member("m1", 11);
        member("m2", 22);
        CompletableFuture<Result> r = m1.batcher.propose(create("/a"));

        assertThat(m1.forwards).isZero();
        assertThat(group.log).hasSize(1);
        group.commitNext();
        assertThat(r.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void aMalformedForwardedSegmentIsRefusedAndNothingReachesTheLog() {
        Member m = alone(1 << 20);
        byte[] good =
                CoordEntry.encodeSegment("m2", 22, 1, 1, List.of(create("/a").encode()));

        assertThatThrownBy(() -> m.batcher.forwarded(java.util.Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed segment");
        assertThatThrownBy(() -> m.batcher.forwarded(java.util.Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after the segment");
        assertThatThrownBy(() -> m.batcher.forwarded(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(group.log).isEmpty();
        m.batcher.forwarded(good);
        assertThat(group.log).hasSize(1);
    }

    @Test
    void aFailedEntryFailsItsChangesAndThoseWaitingBehindItAndTheNextChangeStillLeaves() {
        Member m = alone(1 << 20);
        CompletableFuture<Result> first = m.batcher.propose(create("/a"));
        CompletableFuture<Result> second = m.batcher.propose(create("/b"));

        group.failNext(new IOException("no leader"));
        assertThatThrownBy(first::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        // Its client may have pipelined it behind the first: it must not be applied without it.
        assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        assertThat(group.log).as("the waiting change never left").hasSize(1);
        CompletableFuture<Result> third = m.batcher.propose(create("/c"));
        group.commitNext();
        assertThat(third.join()).isInstanceOf(Result.Created.class);
    }

    @Test
    void aChangeFailsOnceTheTimeoutPassesWithoutItsEntryApplied() {
        Member m = group.add("m1", 11, 1 << 20, Duration.ofMillis(100));
        group.leader = m;
        CompletableFuture<Result> r = m.batcher.propose(create("/a"));
        clock.advance(99, java.util.concurrent.TimeUnit.MILLISECONDS);
        m.batcher.expire();
        assertThat(r).isNotDone();
        clock.advance(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        m.batcher.expire();

        assertThatThrownBy(r::get)
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        group.commitNext();
        java.util.Optional<dev.cairn.coord.internal.tree.NodeView> node = m.state.read(t -> t.get("/a"));
        assertThat(node)
                .as("applied after all, as a request whose answer was lost may be")
                .isPresent();
    }

    @Test
    void everyChangeOfABatchIsStampedWithTheTimeItLeft() {
        Member m = alone(1 << 20);
        m.batcher.propose(create("/a"));
        clock.advance(5, java.util.concurrent.TimeUnit.SECONDS);
        m.batcher.propose(create("/b"));
        m.batcher.propose(create("/c"));
        group.commitNext();

        assertThat(group.batch(0).timeMs()).isEqualTo(1_000_000);
        assertThat(group.batch(1).timeMs()).isEqualTo(1_005_000);
    }

    private static CoordEntry.Batch batch(String origin, long incarnation, long seq, Txn... txns) {
        return new CoordEntry.Batch(0, List.of(new CoordEntry.Segment(origin, incarnation, seq, List.of(txns))));
    }

    @Test
    void entriesRoundTripAndLegacyEntriesDecodeAsOneSegmentNobodyWaitsFor() throws IOException {
        CoordEntry.Batch batch = new CoordEntry.Batch(
                42,
                List.of(
                        new CoordEntry.Segment("m2", 7, 3, List.of(create("/a"), setData("/a", 3))),
                        new CoordEntry.Segment("m1", -5, 9, List.of(create("/b")))));
        // Records holding byte arrays compare by identity: compare the encodings.
        assertThat(CoordEntry.decode(batch.encode()).encode()).isEqualTo(batch.encode());
        CoordEntry.Touch touch = new CoordEntry.Touch(List.of(1L, 2L));
        assertThat(CoordEntry.decode(touch.encode())).isEqualTo(touch);

        byte[] txn = create("/a").encode();
        ByteArrayOutputStream single = new ByteArrayOutputStream(); // before batching
        java.io.DataOutputStream out = new java.io.DataOutputStream(single);
        out.writeByte(CoordEntry.CHANGE);
        out.writeLong(7);
        out.writeInt(txn.length);
        out.write(txn);
        assertThat(CoordEntry.decode(single.toByteArray()).encode())
                .isEqualTo(new CoordEntry.Batch(
                                7,
                                List.of(new CoordEntry.Segment(
                                        CoordEntry.NO_ORIGIN, CoordEntry.NO_INCARNATION, 0, List.of(create("/a")))))
                        .encode());

        ByteArrayOutputStream unnamed = new ByteArrayOutputStream(); // before batches named their origin
        out = new java.io.DataOutputStream(unnamed);
        out.writeByte(CoordEntry.BATCH);
        out.writeLong(8);
        out.writeInt(1);
        out.writeInt(txn.length);
        out.write(txn);
        CoordEntry.Batch decoded = (CoordEntry.Batch) CoordEntry.decode(unnamed.toByteArray());
        assertThat(decoded.timeMs()).isEqualTo(8);
        assertThat(decoded.segments()).singleElement().satisfies(s -> {
            assertThat(s.origin()).isEqualTo(CoordEntry.NO_ORIGIN);
            assertThat(s.incarnation()).isEqualTo(CoordEntry.NO_INCARNATION);
        });

        ByteArrayOutputStream named = new ByteArrayOutputStream(); // before segments
        out = new java.io.DataOutputStream(named);
        out.writeByte(CoordEntry.ORIGIN_BATCH);
        out.writeUTF("m3");
        out.writeLong(9);
        out.writeInt(1);
        out.writeInt(txn.length);
        out.write(txn);
        decoded = (CoordEntry.Batch) CoordEntry.decode(named.toByteArray());
        assertThat(decoded.segments()).singleElement().satisfies(s -> {
            assertThat(s.origin()).isEqualTo("m3");
            assertThat(s.incarnation()).as("no running member waits for it").isEqualTo(CoordEntry.NO_INCARNATION);
        });

        ByteArrayOutputStream unrun = new ByteArrayOutputStream(); // before segments named their run
        out = new java.io.DataOutputStream(unrun);
        out.writeByte(CoordEntry.SEGMENTED_BATCH);
        out.writeLong(10);
        out.writeInt(1);
        out.writeUTF("m2");
        out.writeLong(7);
        out.writeLong(3);
        out.writeInt(1);
        out.writeInt(txn.length);
        out.write(txn);
        decoded = (CoordEntry.Batch) CoordEntry.decode(unrun.toByteArray());
        assertThat(decoded.segments()).singleElement().satisfies(s -> {
            assertThat(s.incarnation()).isEqualTo(7);
            assertThat(s.seq()).isEqualTo(3);
            assertThat(s.run()).as("applied by seq alone, as then").isEqualTo(CoordEntry.NO_RUN);
        });
    }

    @Test
    void onlyTheRunOfTheMemberThatProposedASegmentLearnsItsResults() {
        List<Long> told = new ArrayList<>();
        CoordStateMachine.Listener listener = new CoordStateMachine.Listener() {
            @Override
            public void applied(long zxid, Txn txn, Applied applied) {}

            @Override
            public void ownSegmentApplied(long seq, List<Result> results) {
                told.add(seq);
                assertThat(results).hasSize(2).allMatch(r -> r instanceof Result.Created);
            }

            @Override
            public void ownSegmentDropped(long seq) {
                throw new AssertionError("dropped " + seq);
            }

            @Override
            public void touched(List<Long> sessionIds) {}

            @Override
            public void restored() {}
        };
        CoordStateMachine m1 = new CoordStateMachine(1 << 20, "m1", 11, listener);
        CoordStateMachine m2 = new CoordStateMachine(1 << 20, "m2", 22, listener);
        CoordStateMachine m1Restarted = new CoordStateMachine(1 << 20, "m1", 12, listener);
        byte[] fromM1 = batch("m1", 11, 5, create("/a"), create("/b")).encode();
        m1.apply(1, fromM1);
        m2.apply(1, fromM1);
        m1Restarted.apply(1, fromM1);

        assertThat(told).as("m1's run 11 only").containsExactly(5L);
        assertThat(m2.lastZxid())
                .as("but all applied it all the same")
                .isEqualTo(m1.lastZxid())
                .isEqualTo(m1Restarted.lastZxid());
    }

    @Test
    void zxidsGrowAcrossEntriesAndAnEntryWithoutChangesStillMovesLastZxid() throws IOException {
        Member m = alone(1 << 20);
        CoordStateMachine state = m.state;
        state.apply(
                3,
                new CoordEntry.Batch(
                                0,
                                List.of(
                                        new CoordEntry.Segment("m2", 1, 1, List.of(create("/a"))),
                                        new CoordEntry.Segment("m3", 1, 1, List.of(create("/b")))))
                        .encode());
        assertThat(state.lastZxid()).as("positions run across segments").isEqualTo(CoordStateMachine.zxid(3, 1));
        state.apply(4, new CoordEntry.Touch(List.of(9L)).encode());
        assertThat(state.lastZxid())
                .isEqualTo(CoordStateMachine.zxid(4, 0))
                .isGreaterThan(CoordStateMachine.zxid(3, CoordStateMachine.MAX_BATCH - 1));
        assertThat(state.lastApplied()).isEqualTo(4);

        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        state.writeSnapshot(snapshot);
        CoordStateMachine restored = new CoordStateMachine(1 << 20, "m1", 12, m);
        restored.readSnapshot(4, new ByteArrayInputStream(snapshot.toByteArray()));
        assertThat(restored.lastApplied()).isEqualTo(4);
        assertThat(restored.lastZxid()).isEqualTo(state.lastZxid());
        assertThat(restored.awaitApplied(4)).isDone();
    }

    @Test
    void aSegmentThatComesAgainIsAppliedOnceOnEveryMember() {
        Member follower = followerOfM1();
        CompletableFuture<Result> a = follower.batcher.propose(sequential("/q-"));
        byte[] entry = group.uncommitted.peek();
        group.commitNext();
        assertThat(a.join()).isInstanceOf(Result.Created.class);

        // Ratis' client sends the entry again (its first answer was "not leader"), and it commits again.
        long index = ++group.lastIndex;
        for (Member m : group.members) m.state.apply(index, entry);

        for (Member m : group.members) {
            assertThat(children(m.state))
                    .as("one sequential node, not two")
                    .containsExactlyInAnyOrder("q-0000000000", "zookeeper");
            assertThat(m.state.lastApplied()).isEqualTo(index);
        }
        assertThat(a.join()).as("the first copy's result stands").isInstanceOf(Result.Created.class);
    }

    @Test
    void aSegmentThatComesOutOfOrderIsDroppedAndItsMemberFailsAllNotAppliedAndStartsANewRun() {
        Member follower = followerOfM1();
        TestSource session = new TestSource();
        CompletableFuture<Result> a = follower.batcher.propose(create("/a"), session);
        CompletableFuture<Result> b = follower.batcher.propose(create("/b"), session);
        CompletableFuture<Result> c = follower.batcher.propose(create("/c"), session);
        assertThat(group.log)
                .as("seq 1 in flight; seqs 2 and 3 wait on the leader")
                .hasSize(1);

        // Seq 3 reaches the log first (a copy that went another way, as through Ratis' client).
        long index = ++group.lastIndex;
        byte[] copy = new CoordEntry.Batch(0, List.of(new CoordEntry.Segment("m2", 22, 1, 3, List.of(create("/c")))))
                .encode();
        for (Member m : group.members) m.state.apply(index, copy);

        for (CompletableFuture<Result> each : List.of(a, b, c)) {
            assertThat(each)
                    .as("applied after a missing change of its session, it would break their order; so"
                            + " every change not yet applied fails")
                    .failsWithin(Duration.ZERO)
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("not applied");
        }
        assertThat(session.lost).as("its client proposes no more").isTrue();

        // What was in flight of the old run may still be applied, in order, before the new run.
        group.commitNext();
        group.commitNext();
        CompletableFuture<Result> d = follower.batcher.propose(create("/d"));
        group.commitNext();
        assertThat(d.join())
                .as("the next segment starts a new run and is applied")
                .isInstanceOf(Result.Created.class);
        assertThat(group.batch(2).segments().getFirst().run())
                .as("the new run starts at its first seq")
                .isEqualTo(4);

        // A copy of the old run that arrives after the new run was applied is dropped.
        index = ++group.lastIndex;
        byte[] late = new CoordEntry.Batch(0, List.of(new CoordEntry.Segment("m2", 22, 1, 4, List.of(create("/late")))))
                .encode();
        for (Member m : group.members) m.state.apply(index, late);
        for (Member m : group.members) {
            assertThat(children(m.state))
                    .as("the same on every member")
                    .containsExactlyInAnyOrder("a", "b", "c", "d", "zookeeper");
        }
    }
}
