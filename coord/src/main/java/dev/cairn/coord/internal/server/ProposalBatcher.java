package dev.cairn.coord.internal.server;

import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Group commit across the coord group: the leader puts the changes of all members' clients in
 * one log entry a round ({@link CoordEntry.Batch}). Every entry costs the same whatever it holds —
 * a log write and an fsync on every member, a message to each follower, an apply pass, Raft's
 * bookkeeping — so under load that cost is shared by every change that arrived meanwhile.
 *
 * <p>On each member, the changes its clients propose gather into a {@linkplain CoordEntry.Segment
 * segment}. A member that is not the leader streams its segments to the leader as they form
 * ({@link Raft#forward}); the leader queues its own and the forwarded ones and, while none of its
 * entries is being replicated, proposes everything queued as the next entry (no timer: a batch is
 * whatever arrived during the previous round trip, as in ZooKeeper's and most databases' group
 * commit). Until they moved that way, each member proposed its own entries, so a round of a
 * three-member group carried three entries; one entry a round took 64-session writes from 3,300
 * to 5,260 a second (medians of three interleaved runs of the two builds, on a slow hour of the
 * benchmark machine).
 *
 * <p>Contract: a member's changes enter the log in the order {@link #propose} was called, and each
 * completes with its own result once the entry holding it is applied on this member (so a client
 * reads its own write, and the watches it fired are already queued). A change fails once
 * {@code timeout} has passed since its segment left (checked by {@link #expire}), when the leader it was forwarded to is
 * replaced, or when it could not be sent; it may still be applied later, as with any request
 * whose answer is lost, but never twice, nor after a later change of this member. Since a client
 * pipelines its changes, a failed segment fails every segment of this member not yet applied —
 * those still waiting never leave — the {@link Source}s of all of them propose nothing more, and
 * the next segment starts a new run ({@link #lose}). The replicated state applies a run's
 * segments only in seq order with none missing, and none of a run once a later run was applied
 * ({@link AppliedSegments}). So a failed change is applied, if ever, before any change this
 * member proposes after the failure, and a change is applied only after every earlier change of
 * its source: otherwise a session's change could be lost while a later one of its — forwarded
 * to a new leader in the moment before {@link #leaderChanged}, or sent afterwards on a new
 * connection — is applied. An entry holds at most
 * {@link CoordStateMachine#MAX_BATCH} changes and, unless one segment alone is larger, at most
 * {@code maxBatchBytes}.
 *
 * <p>Threads. No thread owns the batcher: it is where the selector thread (proposing), the apply
 * thread (results), Raft's threads (an entry answered), the Raft port's reader (forwarded
 * segments), the ticker ({@link #expire}) and {@code sender} meet, and its monitor guards its
 * queue ({@code waiting}, {@code sent}, {@code lastSeq}, {@code busy}, each segment's
 * {@code forwardedTo}); what runs holding it only moves segments between lists, and
 * {@link #take} and {@link #leave} assert they hold it. An owning thread was the alternative, and
 * would put a hand-off (0.1–0.25 ms on the benchmark machine) on every change's path: a leader's
 * entries leave on the thread that proposes into an idle batcher or that learns the previous
 * entry was answered (a client's, or Raft's); other members hand a change to the leader's
 * connection on the client's thread when that needs no wait. Whatever may wait — forwarding
 * under backpressure, connecting — runs on {@code sender}. Futures are completed outside the
 * monitor. {@code GroupCommitSimulationTest} drives all of it from one thread.
 */
final class ProposalBatcher {
    /** How segments leave this member. */
    interface Raft {
        /** Whether this member leads (and so proposes entries itself). */
        boolean isLeader();

        /**
         * Sends segments to the leader, after whatever {@link #tryForward} left, and may block;
         * returns its id, or null when this member should propose them itself (it leads, or knows
         * no leader).
         */
        String forward(List<byte[]> segments) throws IOException;

        /**
         * Hands segments to the connection to the leader without blocking, if it can: returns the
         * leader's id, or null when that needs a wait (then {@link #forward}). What the socket did
         * not take at once waits for {@link #flushForwarded} or the next {@link #forward}.
         */
        String tryForward(List<byte[]> segments) throws IOException;

        /** Whether bytes {@link #tryForward} handed over still wait to be written. */
        boolean forwardPending();

        /** Writes what {@link #tryForward} left; may block. */
        void flushForwarded() throws IOException;

        /** Proposes an entry; completes once it is committed (and applied on the leader). */
        CompletableFuture<byte[]> propose(byte[] entry);
    }

    /**
     * Where a change comes from (a client connection). Once one of its changes failed it proposes
     * nothing more: {@link #propose} fails at once. Marked holding the batcher's lock, so no change
     * of it can slip in between a loss and the mark.
     */
    interface Source {
        boolean lost();

        void markLost();
    }

    /** What waits to go into the log: a segment of this member's, or one another member forwarded. */
    private sealed interface Unit permits Own, Forwarded {
        int changes();

        long size();
    }

    /** Changes of this member's clients, gathered while it is the last one waiting. */
    private static final class Own implements Unit {
        final long run;
        final long seq;
        final List<byte[]> txns = new ArrayList<>();
        final List<CompletableFuture<Result>> results = new ArrayList<>();
        /** Where each change came from, null for the member's own (expiry, containers). */
        final List<Source> sources = new ArrayList<>();

        int bytes;
        /** The leader it was forwarded to; null while waiting, or when this member proposed it. */
        String forwardedTo;
        /** Completes with the results once applied here; set when it leaves. */
        CompletableFuture<List<Result>> applied;
        /** When it fails unless applied ({@link Clock#nanos}); set when it leaves. */
        long deadlineNanos;

        Own(long run, long seq) {
            this.run = run;
            this.seq = seq;
        }

        @Override
        public int changes() {
            return txns.size();
        }

        @Override
        public long size() {
            return bytes;
        }
    }

    /** A segment another member forwarded to this one, as it arrived. */
    @SuppressWarnings("ArrayRecordComponent") // carries the bytes as they are; nothing compares or hashes it
    private record Forwarded(byte[] segment, int changes) implements Unit {
        @Override
        public long size() {
            return segment.length;
        }
    }

    private final Raft raft;
    private final CoordStateMachine state;
    private final Clock clock;
    private final Executor sender;
    private final int maxBatchBytes;
    private final Duration timeout;
    /** {@link Own} and {@link Forwarded} segments, in the order they go into the log. */
    private final ArrayDeque<Unit> waiting = new ArrayDeque<>();
    /** This member's segments that left and are not yet applied or failed, by seq. */
    private final Map<Long, Own> sent = new HashMap<>();

    private long lastSeq;
    /** The seq of the first segment of the current run ({@link CoordEntry.Segment#run}). */
    private long run = 1;
    /** A drain runs, or an entry this member proposed is not yet answered. */
    private boolean busy;

    ProposalBatcher(
            Raft raft, CoordStateMachine state, Clock clock, Executor sender, int maxBatchBytes, Duration timeout) {
        this.raft = raft;
        this.state = state;
        this.clock = clock;
        this.sender = sender;
        this.maxBatchBytes = maxBatchBytes;
        this.timeout = timeout;
    }

    /** Proposes a change of the member's own; completes with its result once applied on this member. */
    CompletableFuture<Result> propose(Txn txn) {
        return propose(txn, null);
    }

    /**
     * Proposes a change from {@code source}; completes with its result once applied on this
     * member. Fails at once when an earlier change of {@code source} failed.
     */
    CompletableFuture<Result> propose(Txn txn, Source source) {
        byte[] bytes = txn.encode();
        CompletableFuture<Result> result = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            if (source != null && source.lost()) {
                return CompletableFuture.failedFuture(
                        new IOException("an earlier change of this client failed: it proposes no more"));
            }
            Own tail = waiting.peekLast() instanceof Own o && fits(o, bytes.length) ? o : null;
            if (tail == null) {
                tail = new Own(run, ++lastSeq);
                waiting.add(tail);
            }
            tail.txns.add(bytes);
            tail.results.add(result);
            tail.sources.add(source);
            tail.bytes += bytes.length + 4;
            start = !busy;
            busy = true;
        }
        if (start) start();
        return result;
    }

    private boolean fits(Own o, int bytes) {
        return o.txns.size() < CoordStateMachine.MAX_BATCH && o.bytes + bytes + 4 <= maxBatchBytes;
    }

    /**
     * Takes a segment another member forwarded, for the next entry this member proposes (or, if it
     * no longer leads, forwards on).
     *
     * @throws IllegalArgumentException when the segment is malformed
     */
    void forwarded(byte[] segment) {
        int changes = CoordEntry.decodeSegment(segment).txns().size();
        boolean start;
        synchronized (this) {
            waiting.add(new Forwarded(segment, changes));
            start = !busy;
            busy = true;
        }
        if (start) start();
    }

    /** This member's segments applied: their changes' results, in order. Called on the apply thread. */
    void applied(long seq, List<Result> results) {
        Own own;
        synchronized (this) {
            own = sent.remove(seq);
        }
        if (own != null) own.applied.complete(results);
    }

    /**
     * Fails this member's segments sent longer than {@code timeout} ago and not applied yet.
     * Called periodically (the coord's ticker): a change fails within a tick of its deadline.
     */
    void expire() {
        long now = clock.nanos();
        List<Own> late = new ArrayList<>();
        synchronized (this) {
            for (Own o : sent.values()) if (now - o.deadlineNanos >= 0) late.add(o);
        }
        lose(late, new TimeoutException("no answer from the coord group within " + timeout.toMillis() + " ms"));
    }

    /**
     * One of this member's segments was not applied, since it was not the next one of this member
     * (a copy resent through Ratis' client, one after a lost segment, one of a superseded run; see
     * {@link AppliedSegments}): its changes fail, unless the first copy already answered them or
     * it failed already, and so does everything after it ({@link #lose}). Called on the apply
     * thread.
     */
    void dropped(long seq) {
        Own own;
        synchronized (this) {
            own = sent.remove(seq);
        }
        if (own != null) {
            lose(
                    List.of(own),
                    new IOException("segment " + seq
                            + " of this coord member was not applied: it reached the log out of order"));
        }
    }

    /**
     * A new leader: the segments forwarded to another one fail, since it may never put them in
     * the log (their clients learn the outcome from the state, as after any lost answer).
     */
    void leaderChanged(String leaderId) {
        List<Own> lost = new ArrayList<>();
        synchronized (this) {
            for (Own o : sent.values()) if (o.forwardedTo != null && !o.forwardedTo.equals(leaderId)) lost.add(o);
        }
        if (!lost.isEmpty())
            lose(
                    lost,
                    new IOException("the coord leader " + lost.get(0).forwardedTo
                            + " was replaced before it committed the change"));
    }

    /**
     * Starts sending what waits. On a leader, at once: proposing does not block. On another
     * member, the first segment is handed to the leader's connection by the proposing thread when
     * that needs no wait — a change through an idle member then leaves without a thread hand-off
     * (0.1–0.25 ms each on the benchmark machine); anything more is left to the sender.
     */
    private void start() {
        if (raft.isLeader()) {
            drain(false);
            return;
        }
        List<Unit> units = new ArrayList<>();
        synchronized (this) {
            take(units);
        }
        List<byte[]> segments = encode(units);
        String leader;
        try {
            leader = raft.tryForward(segments);
        } catch (IOException | RuntimeException e) {
            forwardFailed(units, e);
            execute(() -> drain(true));
            return;
        }
        if (leader == null) {
            execute(() -> {
                if (send(units, segments, raft.isLeader())) drain(true);
            });
            return;
        }
        forwardedTo(units, leader);
        synchronized (this) {
            if (waiting.isEmpty() && !raft.forwardPending()) {
                busy = false;
                return;
            }
        }
        execute(() -> drain(true));
    }

    private void execute(Runnable r) {
        try {
            sender.execute(r);
        } catch (RejectedExecutionException e) {
            List<Unit> all;
            synchronized (this) {
                all = List.copyOf(waiting);
                waiting.clear();
                busy = false;
            }
            for (Unit unit : all) if (unit instanceof Own o) fail(o, e);
        }
    }

    /**
     * Sends what waits, after what an earlier hand-off left unwritten: forwards it while another
     * member leads, otherwise proposes it as an entry and returns, staying busy until the entry is
     * answered.
     *
     * @param mayBlock whether this thread may wait (on the leader's socket); one that may not —
     *                 a client's, or Raft's — hands anything but proposing to the sender
     */
    private void drain(boolean mayBlock) {
        if (raft.forwardPending()) {
            if (!mayBlock) {
                execute(() -> drain(true));
                return;
            }
            try {
                raft.flushForwarded();
            } catch (IOException | RuntimeException e) {
                connectionLost(e);
            }
        }
        while (true) {
            boolean leading = raft.isLeader();
            if (!leading && !mayBlock) {
                execute(() -> drain(true));
                return;
            }
            List<Unit> units = new ArrayList<>();
            synchronized (this) {
                if (waiting.isEmpty()) {
                    busy = false;
                    return;
                }
                take(units);
            }
            if (!send(units, encode(units), leading)) return;
        }
    }

    /**
     * Sends one round: forwards it, or proposes it as an entry.
     *
     * @return true when the next round may follow at once; false when an entry this member
     *         proposed is in flight (its completion starts the next drain)
     */
    private boolean send(List<Unit> units, List<byte[]> segments, boolean leading) {
        if (!leading) {
            String leader;
            try {
                leader = raft.forward(segments);
            } catch (IOException | RuntimeException e) {
                forwardFailed(units, e);
                return true;
            }
            if (leader != null) {
                forwardedTo(units, leader);
                return true;
            }
        }
        CompletableFuture<byte[]> replicated;
        try {
            replicated = raft.propose(CoordEntry.encodeBatch(clock.millis(), segments));
        } catch (RuntimeException e) {
            replicated = CompletableFuture.failedFuture(e);
        }
        // The next entry may leave at once, from the thread that learned of this one (Raft's):
        // proposing does not block, and a hand-off to the sender cost the next change its wake-up
        // (a client whose change was just answered often proposed the next one before the sender ran).
        var unused = replicated.whenComplete((reply, failure) -> {
            if (failure != null) failOwn(units, failure);
            drain(false);
        });
        return false;
    }

    private List<byte[]> encode(List<Unit> units) {
        List<byte[]> segments = new ArrayList<>(units.size());
        for (Unit unit : units) {
            segments.add(
                    switch (unit) {
                        case Own o -> CoordEntry.encodeSegment(state.self(), state.incarnation(), o.run, o.seq, o.txns);
                        case Forwarded f -> f.segment();
                    });
        }
        return segments;
    }

    private synchronized void forwardedTo(List<Unit> units, String leader) {
        for (Unit unit : units) if (unit instanceof Own o) o.forwardedTo = leader;
    }

    /** Forwarding these units failed: they fail, and so does what went before them on the broken connection. */
    private void forwardFailed(List<Unit> units, Throwable failure) {
        connectionLost(failure);
        failOwn(units, failure);
    }

    /**
     * The connection to the leader broke: the segments sent on it and not yet applied fail, since
     * bytes in flight may never have reached it.
     */
    private void connectionLost(Throwable failure) {
        List<Own> lost = new ArrayList<>();
        synchronized (this) {
            for (Own o : sent.values()) if (o.forwardedTo != null) lost.add(o);
        }
        lose(lost, failure);
    }

    /**
     * Moves the next entry's worth of segments from {@code waiting} to {@code units}, registering
     * this member's as sent (before they leave: the entry may be applied before the send returns).
     * Called holding the lock.
     */
    private void take(List<Unit> units) {
        assert Thread.holdsLock(this) : "take without the batcher's lock";
        int changes = 0;
        long bytes = 0;
        while (!waiting.isEmpty()) {
            Unit next = waiting.peek();
            int n = next.changes();
            long size = next.size();
            if (!units.isEmpty() && (changes + n > CoordStateMachine.MAX_BATCH || bytes + size > maxBatchBytes)) break;
            waiting.poll();
            units.add(next);
            changes += n;
            bytes += size;
            if (next instanceof Own o) leave(o);
        }
    }

    private void leave(Own o) {
        assert Thread.holdsLock(this) : "leave without the batcher's lock";
        sent.put(o.seq, o);
        // Not orTimeout: that schedules and cancels a task on the JDK's delay thread for every
        // segment, waking that thread once per change at one client (2% of a member's CPU).
        o.applied = new CompletableFuture<>();
        o.deadlineNanos = clock.nanos() + timeout.toNanos();
        var unused = o.applied.whenComplete((results, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    sent.remove(o.seq, o);
                }
                for (CompletableFuture<Result> r : o.results) r.completeExceptionally(failure);
            } else if (results.size() != o.results.size()) {
                IllegalStateException e = new IllegalStateException("segment " + o.seq + " of " + o.results.size()
                        + " changes applied with " + results.size() + " results");
                for (CompletableFuture<Result> r : o.results) r.completeExceptionally(e);
            } else {
                for (int i = 0; i < results.size(); i++) o.results.get(i).complete(results.get(i));
            }
        });
    }

    private void failOwn(List<Unit> units, Throwable failure) {
        List<Own> own = new ArrayList<>();
        for (Unit unit : units) if (unit instanceof Own o) own.add(o);
        lose(own, failure);
    }

    /**
     * These segments failed, their outcome unknown: they fail, and so does every segment of this
     * member not yet applied — those still waiting are taken out and never leave — the sources of
     * all their changes are marked lost, so none of them proposes again, and the next segment
     * starts a new run. All of it under the lock, so no change is proposed in between.
     *
     * <p>Why every one, earlier ones too: the state applies the new run's segments, and then drops
     * any of the old run still on its way ({@link AppliedSegments}); a source with a change in
     * flight in the old run could otherwise have a later change applied in the new run while the
     * earlier one is dropped. Why a new run: the state applies none of a run after a missing
     * segment, so the old run is over; segments sent on the same way after a lost one may still
     * be applied, before the new run, since the leader puts what one connection brings in order
     * into its log — but their sources are lost too, so no later change of theirs follows.
     */
    private void lose(List<Own> failed, Throwable failure) {
        if (failed.isEmpty()) return;
        java.util.Set<Own> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        all.addAll(failed);
        synchronized (this) {
            all.addAll(sent.values());
            sent.clear();
            for (java.util.Iterator<Unit> it = waiting.iterator(); it.hasNext(); ) {
                if (it.next() instanceof Own o) {
                    it.remove();
                    all.add(o);
                }
            }
            for (Own o : all) for (Source source : o.sources) if (source != null) source.markLost();
            run = lastSeq + 1;
        }
        for (Own o : all) fail(o, failure);
    }

    private static void fail(Own o, Throwable failure) {
        if (o.applied != null) {
            o.applied.completeExceptionally(failure);
        } else {
            for (CompletableFuture<Result> r : o.results) r.completeExceptionally(failure);
        }
    }
}
