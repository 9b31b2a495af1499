package dev.cairn.coord.internal.server;

import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit above Raft: while one of this member's log entries is being replicated, the
 * changes proposed meanwhile wait here, and then travel together as one entry
 * ({@link CoordEntry.Batch}). Every entry costs the same whatever it holds — a round of
 * replication, a log write and an fsync on every member, a message to each follower, an apply
 * pass — so under load that cost is shared by many changes; and a change proposed while nothing
 * is in flight leaves at once, so batching adds no wait of its own (no timer: a batch is whatever
 * arrived during the previous round trip, as in ZooKeeper's and most databases' group commit).
 *
 * <p>Contract: changes enter the log in the order {@link #propose} was called, and each
 * completes with its own result once its entry is applied on this member (so a client reads its
 * own write, and the watches it fired are already queued), or fails once {@code timeout} has
 * passed since its entry left (the change may still be applied later, as with any request whose
 * answer is lost). One entry at a time is in flight — until Raft answers for it, however long
 * that takes; a batch holds at most {@link CoordStateMachine#MAX_BATCH} changes and, unless one
 * change alone is larger, at most {@code maxBatchBytes}.
 *
 * <p>Thread-safe. A batch is sent by the thread that proposes into an idle batcher, or, when an
 * entry completes with changes waiting, by {@code sender} (completions arrive on Raft's threads,
 * which must not block on replication).
 */
final class ProposalBatcher {
    private record Pending(byte[] txn, CompletableFuture<Result> result) {}

    private final Function<byte[], CompletableFuture<byte[]>> replicate;
    private final CoordStateMachine state;
    private final Clock clock;
    private final Executor sender;
    private final int maxBatchBytes;
    private final Duration timeout;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean inFlight;

    /**
     * @param replicate proposes an entry to the Raft group; completes with the applying member's
     *                  reply ({@link CoordStateMachine#index}) once the entry is committed
     */
    ProposalBatcher(Function<byte[], CompletableFuture<byte[]>> replicate, CoordStateMachine state, Clock clock,
                    Executor sender, int maxBatchBytes, Duration timeout) {
        this.replicate = replicate;
        this.state = state;
        this.clock = clock;
        this.sender = sender;
        this.maxBatchBytes = maxBatchBytes;
        this.timeout = timeout;
    }

    /** Proposes a change; completes with its result once applied on this member. */
    CompletableFuture<Result> propose(Txn txn) {
        Pending p = new Pending(txn.encode(), new CompletableFuture<>());
        List<Pending> batch;
        synchronized (this) {
            waiting.add(p);
            batch = inFlight ? null : takeBatch();
        }
        if (batch != null) send(batch);
        return p.result();
    }

    /** The next batch, marking it in flight; null when nothing waits. Called holding the lock. */
    private List<Pending> takeBatch() {
        if (waiting.isEmpty()) return null;
        List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), CoordStateMachine.MAX_BATCH));
        long bytes = 0;
        while (!waiting.isEmpty() && batch.size() < CoordStateMachine.MAX_BATCH) {
            int size = waiting.peek().txn().length + 4;
            if (!batch.isEmpty() && bytes + size > maxBatchBytes) break;
            bytes += size;
            batch.add(waiting.poll());
        }
        inFlight = true;
        return batch;
    }

    private void send(List<Pending> batch) {
        CompletableFuture<Long> applied = new CompletableFuture<Long>().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        applied.whenComplete((index, failure) -> finish(batch, index, failure));
        CompletableFuture<byte[]> replicated;
        try {
            replicated = replicate.apply(CoordEntry.encodeBatch(state.self(), clock.millis(), batch.stream().map(Pending::txn).toList()));
        } catch (RuntimeException e) {
            replicated = CompletableFuture.failedFuture(e);
        }
        replicated.whenComplete((reply, failure) -> {
            sendNext();
            if (failure != null) {
                applied.completeExceptionally(failure);
            } else {
                long index = CoordStateMachine.index(reply);
                state.awaitApplied(index).thenRun(() -> applied.complete(index));
            }
        });
    }

    /** The entry in flight is answered: the next batch, if any, may leave. */
    private void sendNext() {
        List<Pending> next;
        synchronized (this) {
            inFlight = false;
            next = takeBatch();
        }
        if (next == null) return;
        try {
            sender.execute(() -> send(next));
        } catch (RejectedExecutionException e) {
            fail(next, e);
        }
    }

    private void finish(List<Pending> batch, Long index, Throwable failure) {
        if (failure != null) {
            fail(batch, failure);
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Result> result = batch.get(i).result();
            try {
                result.complete(state.takeResult(CoordStateMachine.zxid(index, i)));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    private static void fail(List<Pending> batch, Throwable failure) {
        for (Pending p : batch) p.result().completeExceptionally(failure);
    }
}
