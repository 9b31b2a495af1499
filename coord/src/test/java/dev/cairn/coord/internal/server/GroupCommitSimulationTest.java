package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.ManualClock;
import dev.cairn.coord.internal.tree.Acl;
import dev.cairn.coord.internal.tree.Applied;
import dev.cairn.coord.internal.tree.CreateMode;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Seeded, single-threaded simulation of the coord's group commit ({@link ProposalBatcher}) and of
 * the order segments are applied in by the replicated state ({@link AppliedSegments} through
 * {@link CoordStateMachine}), after Kafka's {@code RaftEventSimulationTest}.
 *
 * <p>Three members, each a real {@link CoordStateMachine} and {@link ProposalBatcher}, share one
 * event queue ordered by a manual clock. The simulation is their Raft ({@link ProposalBatcher.Raft}):
 * a log whose leader's uncommitted entries survive a leader change only as a prefix, a leader
 * that steps down answering its pending entries "not leader" (after which the member resends
 * them through Ratis' client, as {@code RaftMember.propose} does — so a surviving entry can reach
 * the log twice), members that learn of a new leader each at its own time (and forward to it at
 * once, while the batcher hears of it a moment later, as from Ratis' notification), forwarding connections
 * that keep their order but may be cut (a random suffix of what is in flight is lost) or refuse
 * to connect, partial writes, and a sender executor that runs its tasks in order later. Members
 * apply committed entries in order, each at its own pace. Clients are sessions that pipeline
 * their changes over a connection ({@link ProposalBatcher.Source}) and, once it is lost, go on
 * over a new one to the same member.
 *
 * <p>Checked after every event: no change is applied twice on a member, none after a later
 * change of the same member (its proposal order; so a change that failed is applied, if ever,
 * before every change its member proposed after the failure), none after a later change of its
 * session, none while an earlier change of its connection is not applied (a session's changes
 * apply in the order it sent them, with none skipped), every member applies the same changes in the
 * same order with the same resulting tree (digest per log index), and a change is acknowledged
 * only once applied on its member, with its result. At the end (faults stopped, queue drained):
 * every member applied the whole log, every acknowledged change is on every member, the trees
 * agree, and every change was answered (applied or failed) within its timeout.
 *
 * <p>A failure names its seed; {@code -Dsim.seed=N} replays that run alone, exactly.
 * {@code -Dsim.seeds=N} runs seeds 1..N (default {@value #DEFAULT_SEEDS}).
 */
class GroupCommitSimulationTest {
    private static final int DEFAULT_SEEDS = 150;
    private static final List<Id> ANYONE = List.of(Id.ANYONE);

    @Test
    void invariantsHoldOverSeeds() {
        Long only = Long.getLong("sim.seed");
        if (only != null) {
            System.err.println(run(only).summary());
            return;
        }
        int seeds = Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        for (long seed = 1; seed <= seeds; seed++) run(seed);
    }

    /** The faults actually happen: a run with them drops duplicate or late segments. */
    @Test
    void faultsExerciseDeduplication() {
        int dropped = 0;
        int acked = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Simulation sim = run(seed);
            dropped += sim.droppedSegments;
            acked += sim.acked.size();
        }
        assertThat(dropped)
                .as("segments the state dropped as duplicate or late, over 20 seeds")
                .isPositive();
        assertThat(acked).as("changes acknowledged over 20 seeds").isGreaterThan(1_000);
    }

    /** Sessions lose connections and go on over new ones, so their order is checked across them. */
    @Test
    void sessionsPipelineAndReconnect() {
        int reconnects = 0;
        int pipelined = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Simulation sim = run(seed);
            reconnects += sim.reconnects;
            pipelined += sim.pipelined;
        }
        assertThat(reconnects).as("connections lost over 20 seeds").isPositive();
        assertThat(pipelined)
                .as("changes proposed while an earlier one of their connection was pending, over 20 seeds")
                .isGreaterThan(1_000);
    }

    private static Simulation run(long seed) {
        Simulation sim = new Simulation(seed);
        try {
            sim.run();
        } catch (AssertionError | RuntimeException e) {
            String message =
                    "group commit simulation failed, seed " + seed + " (replay: -Dsim.seed=" + seed + ") at event "
                            + sim.eventCount + " (" + sim.currentEvent + ", t="
                            + TimeUnit.NANOSECONDS.toMicros(sim.clock.nanos()) + " us): "
                            + e.getMessage();
            System.err.println(message);
            throw new AssertionError(message, e);
        }
        return sim;
    }

    /** One run: the event queue, the fake Raft log and network, and the members. */
    private static final class Simulation {
        private static final long FAULTS_UNTIL = TimeUnit.MILLISECONDS.toNanos(120);
        private static final long QUIET_UNTIL = TimeUnit.MILLISECONDS.toNanos(2_000);
        private static final Duration TIMEOUT = Duration.ofMillis(100);

        final long seed;
        final Random random;
        final ManualClock clock = new ManualClock(1_700_000_000_000L);
        final PriorityQueue<Event> queue = new PriorityQueue<>();
        final List<Member> members = new ArrayList<>();
        /** Committed entries, in log order (index = position + 1). */
        final List<byte[]> log = new ArrayList<>();
        /** The changes in the order the log applies them (built by whichever member applies first). */
        final List<String> applyOrder = new ArrayList<>();
        /** Digest of the state after each log index, as the first member to apply it saw it. */
        final Map<Integer, String> digests = new HashMap<>();
        /** Member (by reference) answering, once it applied the index, the futures waiting for it. */
        final Map<Integer, List<Answer>> answers = new HashMap<>();

        final Set<String> acked = new HashSet<>();
        /** Every change a client proposed, with the member (run) it proposed it through. */
        final List<Proposal> proposed = new ArrayList<>();

        final List<String> violations = new ArrayList<>();
        /** The entries the current leader appended and that are not committed yet. */
        ArrayDeque<Pending> uncommitted = new ArrayDeque<>();

        Member leader;
        int term;
        long eventOrder;
        int eventCount;
        String currentEvent = "start";
        int droppedSegments;

        record Event(long at, long order, String name, Runnable action) implements Comparable<Event> {
            @Override
            public int compareTo(Event o) {
                int c = Long.compare(at, o.at);
                return c != 0 ? c : Long.compare(order, o.order);
            }
        }

        /** An uncommitted entry; {@code reply} is null for one a new leader took over from the old. */
        record Pending(byte[] entry, CompletableFuture<byte[]> reply, int term) {}

        record Answer(Member by, byte[] entry, CompletableFuture<byte[]> reply) {}

        record Proposal(Member through, String path, CompletableFuture<Result> result) {}

        /** The {@code index}th change of {@code session}, sent over its connection number {@code connection}. */
        record Change(Session session, int index, int connection, String path) {}

        /** Every change a session proposed, by path. */
        final Map<String, Change> changes = new HashMap<>();

        int reconnects;
        int pipelined;

        final int maxBatchBytes;
        int restarts;

        Simulation(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            maxBatchBytes = random.nextBoolean() ? 1 << 20 : 200 + random.nextInt(2_000);
            for (int i = 1; i <= 3; i++) members.add(new Member(this, "m" + i, random.nextLong() | 1, 1, 0));
        }

        String summary() {
            int failed = (int) proposed.stream()
                    .filter(p -> p.result().isCompletedExceptionally())
                    .count();
            return "seed " + seed + ": " + eventCount + " events, " + term + " terms, " + log.size() + " entries, "
                    + proposed.size() + " changes proposed, " + acked.size() + " acknowledged, " + failed + " failed, "
                    + applyOrder.size() + " applied, " + droppedSegments + " segments dropped as duplicate or late, "
                    + restarts + " restarts, " + reconnects + " reconnects";
        }

        boolean faults() {
            return clock.nanos() < FAULTS_UNTIL;
        }

        long micros(int min, int max) {
            return TimeUnit.MICROSECONDS.toNanos(min + random.nextInt(max - min + 1));
        }

        void at(long delayNanos, String name, Runnable action) {
            queue.add(new Event(clock.nanos() + delayNanos, eventOrder++, name, action));
        }

        void run() {
            Member first = members.get(random.nextInt(members.size()));
            elect(first, ++term);
            at(micros(0, 200), "client", this::clientProposes);
            at(micros(2_000, 30_000), "leader change", this::leaderChange);
            at(micros(10_000, 60_000), "restart", this::restart);
            at(micros(1_000, 10_000), "cut a connection", this::cutConnection);
            at(TimeUnit.MILLISECONDS.toNanos(5), "tick", this::tick);
            while (!queue.isEmpty()) {
                Event e = queue.poll();
                if (e.at() > QUIET_UNTIL) break;
                clock.advance(e.at() - clock.nanos(), TimeUnit.NANOSECONDS);
                eventCount++;
                currentEvent = e.name();
                e.action().run();
                checkInvariants();
            }
            currentEvent = "end";
            checkEnd();
        }

        // ---- events --------------------------------------------------------------------------

        void clientProposes() {
            if (!faults()) return;
            Member m = members.get(random.nextInt(members.size()));
            m.propose();
            at(micros(10, 400), "client", this::clientProposes);
        }

        void tick() {
            for (Member m : members) m.batcher.expire();
            at(TimeUnit.MILLISECONDS.toNanos(5), "tick", this::tick);
        }

        /**
         * The leader steps down: a prefix of its uncommitted entries survives into the next
         * leader's log; every pending proposal is answered "not leader" and resent through the
         * client. A new leader is elected a little later; members learn of it one by one.
         */
        void leaderChange() {
            if (!faults()) return;
            stepDown();
            at(micros(5_000, 40_000), "leader change", this::leaderChange);
        }

        /**
         * A member's process stops and starts again: its clients' connections are gone (their
         * changes may or may not be applied), and it comes back with a new incarnation, replays the
         * committed log, and learns of the leader. If it led, the group elects another.
         */
        void restart() {
            if (!faults()) return;
            int i = random.nextInt(members.size());
            Member old = members.get(i);
            if (leader == old) stepDown();
            old.dead = true;
            if (old.connection != null) old.connection.cut(this);
            // Requests it was to answer once applied: their clients time out and send them again.
            answers.forEach((index, waiting) -> {
                if (index <= old.applied) return;
                for (Answer a : waiting)
                    if (a.by() == old) viaClient(a.entry(), a.reply(), clock.nanos() + TIMEOUT.toNanos());
            });
            Member fresh = new Member(this, old.id, random.nextLong() | 1, old.run + 1, old.nextChange);
            members.set(i, fresh);
            restarts++;
            for (int index = 1; index <= log.size(); index++) fresh.applyNext();
            at(micros(100, 2_000), fresh.id + " finds the leader", () -> {
                if (leader != null) fresh.learn(leader, term);
            });
            at(micros(10_000, 60_000), "restart", this::restart);
        }

        /**
         * The leader steps down: a prefix of its uncommitted entries survives into the next
         * leader's log; every pending proposal is answered "not leader" and resent through the
         * client. A new leader is elected a little later; members learn of it one by one.
         */
        void stepDown() {
            Member old = leader;
            int newTerm = ++term;
            leader = null;
            List<Pending> old_ = List.copyOf(uncommitted);
            uncommitted = new ArrayDeque<>();
            int survive = old_.isEmpty() ? 0 : random.nextInt(old_.size() + 1);
            List<Pending> survivors = new ArrayList<>();
            for (int i = 0; i < old_.size(); i++) {
                Pending p = old_.get(i);
                if (i < survive) survivors.add(new Pending(p.entry(), null, newTerm));
                if (p.reply() != null) viaClient(p.entry(), p.reply(), clock.nanos() + TIMEOUT.toNanos());
            }
            if (old != null) at(micros(0, 300), "m learns it stepped down", () -> old.learn(null, newTerm));
            int next = random.nextInt(members.size());
            at(micros(300, 5_000), "elect", () -> {
                if (term != newTerm) return;
                elect(members.get(next), newTerm); // the member running then
                for (Pending p : survivors) append(p);
            });
        }

        void elect(Member next, int newTerm) {
            leader = next;
            for (Member m : members) {
                at(
                        m == next ? micros(0, 500) : micros(0, 3_000),
                        m.id + " learns leader " + next.id,
                        () -> m.learn(next, newTerm));
            }
        }

        /** A forwarding connection breaks: the sender learns it on its next write. */
        void cutConnection() {
            if (!faults()) return;
            Member m = members.get(random.nextInt(members.size()));
            if (m.connection != null) m.connection.cut(this);
            at(micros(1_000, 15_000), "cut a connection", this::cutConnection);
        }

        // ---- the log -------------------------------------------------------------------------

        /** What a member's {@code RaftMember.propose} does: append on the leader, else through the client. */
        CompletableFuture<byte[]> propose(Member proposer, byte[] entry) {
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            if (leader == proposer) {
                append(new Pending(entry, reply, term));
            } else {
                // A member that believed it led answers "not leader" a moment later, then resends.
                at(
                        micros(10, 500),
                        proposer.id + " resends through the client",
                        () -> viaClient(entry, reply, clock.nanos() + TIMEOUT.toNanos()));
            }
            return reply;
        }

        /** Ratis' client: finds the leader and retries until its deadline. */
        void viaClient(byte[] entry, CompletableFuture<byte[]> reply, long deadline) {
            at(micros(50, 1_500), "client request", () -> {
                if (faults() && random.nextInt(20) == 0) {
                    reply.completeExceptionally(new IOException("simulated: the client's request failed"));
                } else if (leader != null && leader.knownLeader == leader) {
                    append(new Pending(entry, reply, term));
                } else if (clock.nanos() - deadline >= 0) {
                    reply.completeExceptionally(new IOException("simulated: no leader within the client's timeout"));
                } else {
                    viaClient(entry, reply, deadline);
                }
            });
        }

        void append(Pending p) {
            uncommitted.add(p);
            int t = term;
            at(micros(200, 2_000), "commit", () -> commit(t));
        }

        /** Commits the oldest uncommitted entry of the term, if it is still the leader's. */
        void commit(int t) {
            if (t != term || leader == null || uncommitted.isEmpty()) return;
            Pending p = uncommitted.poll();
            log.add(p.entry());
            int index = log.size();
            if (p.reply() != null)
                answers.computeIfAbsent(index, i -> new ArrayList<>()).add(new Answer(leader, p.entry(), p.reply()));
            for (Member m : members) at(micros(0, 2_000), m.id + " applies", m::applyNext);
        }

        // ---- checks --------------------------------------------------------------------------

        void violation(String what) {
            violations.add(what);
        }

        void checkInvariants() {
            if (!violations.isEmpty()) throw new AssertionError(String.join("; ", violations));
        }

        void checkEnd() {
            checkInvariants();
            for (Member m : members) {
                assertThat(m.applied).as(m.id + " applied the whole log").isEqualTo(log.size());
                for (String path : acked)
                    assertThat(m.appliedSet)
                            .as(m.id + " applied every acknowledged change")
                            .contains(path);
            }
            Set<String> tree = new TreeSet<>(members.getFirst().children());
            for (Member m : members) {
                assertThat(new TreeSet<>(m.children())).as(m.id + "'s tree").isEqualTo(tree);
                assertThat(m.state.lastZxid())
                        .as(m.id + "'s last zxid")
                        .isEqualTo(members.getFirst().state.lastZxid());
            }
            for (Proposal p : proposed) {
                // A stopped member's clients are gone with it; the rest are answered, applied or failed.
                if (!p.through().dead)
                    assertThat(p.result())
                            .as(
                                    "%s, proposed through %s, answered within its timeout (applied there: %s)",
                                    p.path(),
                                    p.through().id,
                                    p.through().appliedSet.contains(p.path()))
                            .isDone();
            }
        }
    }

    /** A forwarding connection: in order; cutting it loses a random suffix of what is in flight. */
    private static final class Connection {
        /** A client's connection to a member, as the batcher sees it. */
        static final class Source implements ProposalBatcher.Source {
            private final int number;
            private boolean lost;

            Source(int number) {
                this.number = number;
            }

            int number() {
                return number;
            }

            @Override
            public boolean lost() {
                return lost;
            }

            @Override
            public void markLost() {
                lost = true;
            }
        }

        final Member target;
        long sent;
        long delivered;
        long lastArrival;
        /** Messages after this one are lost. */
        long limit = Long.MAX_VALUE;

        boolean broken;

        Connection(Member target) {
            this.target = target;
        }

        void cut(Simulation sim) {
            if (broken) return;
            broken = true;
            limit = delivered + (sent == delivered ? 0 : sim.random.nextLong(sent - delivered + 1));
        }

        void send(Simulation sim, String from, List<byte[]> segments) throws IOException {
            if (broken) throw new IOException("simulated: the connection to " + target.id + " broke");
            if (target.dead) throw new IOException("simulated: " + target.id + " stopped");
            long n = ++sent;
            long arrival = Math.max(lastArrival, sim.clock.nanos() + sim.micros(50, 1_000));
            lastArrival = arrival;
            List<byte[]> copy = List.copyOf(segments);
            sim.at(arrival - sim.clock.nanos(), from + " -> " + target.id + " forwarded", () -> {
                if (n > limit || target.dead) return;
                delivered = n;
                for (byte[] s : copy) target.batcher.forwarded(s);
            });
        }
    }

    /** A client's session on one member run: its connections follow one another. */
    private static final class Session {
        final String name;
        final List<Simulation.Change> changes = new ArrayList<>();
        Connection.Source connection = new Connection.Source(1);

        Session(String name) {
            this.name = name;
        }
    }

    /** One member: its state and batcher, with the simulation as its Raft. */
    private static final class Member implements ProposalBatcher.Raft, CoordStateMachine.Listener {
        final Simulation sim;
        final String id;
        final CoordStateMachine state;
        final ProposalBatcher batcher;
        /** Whom this member believes leads, as of {@link #knownTerm}. */
        Member knownLeader;

        int knownTerm;
        Connection connection;
        /** Segments handed over that the socket did not take yet. */
        final List<byte[]> unsent = new ArrayList<>();

        long senderFreeAt;
        /** Which run of the member this is (1 at first, one more at each restart). */
        final int run;
        /** This run stopped: nothing of it runs any more. */
        boolean dead;

        int nextChange;
        /** This run's client sessions. */
        final List<Session> sessions = new ArrayList<>();
        /** Per session, the index of its last change applied here. */
        final Map<Session, Integer> lastAppliedBySession = new HashMap<>();

        int applied;
        final Set<String> appliedSet = new HashSet<>();
        final Map<String, Integer> lastAppliedByOrigin = new HashMap<>();
        int appliedChanges;

        Member(Simulation sim, String id, long incarnation, int run, int changesBefore) {
            this.sim = sim;
            this.id = id;
            this.run = run;
            this.nextChange = changesBefore;
            this.state = new CoordStateMachine(1 << 20, id, incarnation, this);
            this.batcher =
                    new ProposalBatcher(this, state, sim.clock, this::execute, sim.maxBatchBytes, Simulation.TIMEOUT);
            for (int i = 1; i <= 4; i++) sessions.add(new Session(id + ".r" + run + ".s" + i));
        }

        List<String> children() {
            return state.read(t -> t.children("/"));
        }

        /** The sender: runs its tasks in order, a little later. */
        void execute(Runnable task) {
            long at = Math.max(senderFreeAt, sim.clock.nanos() + sim.micros(5, 200));
            senderFreeAt = at;
            sim.at(at - sim.clock.nanos(), id + " sender", () -> {
                if (!dead) task.run();
            });
        }

        void propose() {
            int n = ++nextChange;
            // Named by member run: a session lives on one run, and its order is that run's proposal order.
            String path = "/" + id + ".r" + run + "-" + n;
            Txn txn = new Txn.Create(path, new byte[] {1}, Acl.OPEN, CreateMode.PERSISTENT, -1, 0, ANYONE);
            CompletableFuture<Result> result;
            if (sim.random.nextInt(10) == 0) {
                result = batcher.propose(txn); // the member's own (expiry, containers): no session
            } else {
                Session session = sessions.get(sim.random.nextInt(sessions.size()));
                if (session.connection.lost()) {
                    // Its client learned the connection closed and reconnects to this member.
                    session.connection = new Connection.Source(session.connection.number() + 1);
                    sim.reconnects++;
                }
                Simulation.Change change =
                        new Simulation.Change(session, session.changes.size(), session.connection.number(), path);
                if (!session.changes.isEmpty()) {
                    Simulation.Change last = session.changes.getLast();
                    if (last.connection() == change.connection() && !appliedSet.contains(last.path())) sim.pipelined++;
                }
                session.changes.add(change);
                sim.changes.put(path, change);
                result = batcher.propose(txn, session.connection);
            }
            sim.proposed.add(new Simulation.Proposal(this, path, result));
            result.whenComplete((r, failure) -> {
                if (failure != null) return;
                if (!(r instanceof Result.Created c) || !c.actualPath().equals(path))
                    sim.violation(path + " acknowledged with " + r);
                if (!appliedSet.contains(path)) sim.violation(path + " acknowledged before " + id + " applied it");
                sim.acked.add(path);
            });
        }

        void learn(Member leader, int term) {
            if (dead) return;
            // Knowing the term's leader beats hearing that the previous one stepped down.
            if (term < knownTerm || (term == knownTerm && leader == null)) return;
            knownTerm = term;
            knownLeader = leader;
            // Ratis tells RaftMember a moment after it knows (forward() asks Ratis, so it may already
            // have sent segments to the new leader): then the forwarding stream is closed and the
            // batcher hears of it.
            String id = leader == null ? null : leader.id;
            sim.at(sim.micros(0, 400), this.id + " notified of leader " + id, () -> {
                if (dead) return;
                if (connection != null) connection.cut(sim);
                connection = null;
                unsent.clear();
                batcher.leaderChanged(id);
            });
        }

        void applyNext() {
            if (dead) return;
            int index = ++applied;
            byte[] reply = state.apply(index, sim.log.get(index - 1));
            String digest =
                    state.lastZxid() + "/" + state.read(t -> t.children("/").size());
            String first = sim.digests.putIfAbsent(index, digest);
            if (first != null && !first.equals(digest))
                sim.violation(id + " at index " + index + " has state " + digest + ", another member " + first);
            List<Simulation.Answer> waiting = sim.answers.get(index);
            if (waiting != null) {
                for (Simulation.Answer a : List.copyOf(waiting))
                    if (a.by() == this) a.reply().complete(reply);
            }
        }

        // ---- ProposalBatcher.Raft ------------------------------------------------------------

        @Override
        public boolean isLeader() {
            return !dead && knownLeader == this;
        }

        private Member otherLeader() {
            return knownLeader == null || knownLeader == this ? null : knownLeader;
        }

        @Override
        public String forward(List<byte[]> segments) throws IOException {
            if (dead) throw new IOException("simulated: this member stopped");
            Member to = otherLeader();
            if (to == null) return null;
            if (connection == null || connection.target != to) {
                if (connection != null) connection.cut(sim);
                connection = null;
                unsent.clear();
                if (sim.faults() && sim.random.nextInt(30) == 0)
                    throw new IOException("simulated: cannot connect to " + to.id);
                connection = new Connection(to);
            }
            try {
                if (!unsent.isEmpty()) connection.send(sim, id, unsent);
                unsent.clear();
                connection.send(sim, id, segments);
            } catch (IOException e) {
                connection = null;
                unsent.clear();
                throw e;
            }
            return to.id;
        }

        @Override
        public String tryForward(List<byte[]> segments) throws IOException {
            if (dead) throw new IOException("simulated: this member stopped");
            Member to = otherLeader();
            if (to == null || connection == null || connection.target != to || !unsent.isEmpty()) return null;
            if (sim.random.nextInt(10) == 0) {
                unsent.addAll(segments); // the socket took only part of it
                return to.id;
            }
            try {
                connection.send(sim, id, segments);
            } catch (IOException e) {
                connection = null;
                throw e;
            }
            return to.id;
        }

        @Override
        public boolean forwardPending() {
            return !unsent.isEmpty();
        }

        @Override
        public void flushForwarded() throws IOException {
            if (unsent.isEmpty()) return;
            List<byte[]> bytes = List.copyOf(unsent);
            unsent.clear();
            if (connection == null)
                throw new IOException("simulated: the connection closed with forwarded changes unsent");
            try {
                connection.send(sim, id, bytes);
            } catch (IOException e) {
                connection = null;
                throw e;
            }
        }

        @Override
        public CompletableFuture<byte[]> propose(byte[] entry) {
            if (dead) return new CompletableFuture<>(); // its process is gone: never answered
            return sim.propose(this, entry);
        }

        // ---- CoordStateMachine.Listener ------------------------------------------------------

        @Override
        public void applied(long zxid, Txn txn, Applied applied) {
            String path = ((Txn.Create) txn).path();
            if (!appliedSet.add(path)) sim.violation(path + " applied twice on " + id);
            int dash = path.lastIndexOf('-');
            String origin = path.substring(1, dash);
            int n = Integer.parseInt(path.substring(dash + 1));
            Integer last = lastAppliedByOrigin.put(origin, n);
            if (last != null && n <= last)
                sim.violation(path + " applied on " + id + " after " + origin + "'s later change " + last);
            Simulation.Change change = sim.changes.get(path);
            if (change != null) checkSessionOrder(change);
            int position = appliedChanges++;
            if (position < sim.applyOrder.size()) {
                String expected = sim.applyOrder.get(position);
                if (!expected.equals(path))
                    sim.violation(id + " applied " + path + " where another member applied " + expected);
            } else {
                sim.applyOrder.add(path);
            }
        }

        /**
         * A session's changes apply in the order it sent them (none after a later one), and none
         * while an earlier one sent over the same connection is not applied: a change that is
         * lost fails its connection, and only the changes the session sends over a new one may
         * follow it.
         */
        void checkSessionOrder(Simulation.Change change) {
            Session session = change.session();
            Integer last = lastAppliedBySession.put(session, change.index());
            if (last != null && last >= change.index())
                sim.violation(change.path() + " (change " + change.index() + " of session " + session.name
                        + ") applied on " + id + " after its later change " + last);
            for (int i = change.index() - 1; i >= 0; i--) {
                Simulation.Change earlier = session.changes.get(i);
                if (earlier.connection() != change.connection() || appliedSet.contains(earlier.path())) break;
                sim.violation(change.path() + " (change " + change.index() + " of session " + session.name
                        + ", connection " + change.connection() + ") applied on " + id + " while its earlier "
                        + earlier.path() + " (change " + i + ", same connection) was not");
            }
        }

        @Override
        public void ownSegmentApplied(long seq, List<Result> results) {
            batcher.applied(seq, results);
        }

        @Override
        public void ownSegmentDropped(long seq) {
            sim.droppedSegments++;
            batcher.dropped(seq);
        }

        @Override
        public void touched(List<Long> sessionIds) {}

        @Override
        public void restored() {}
    }
}
