package dev.cairn.coord.internal.server;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A member's bound on its clients' changes in flight — read from a connection and not yet
 * answered — in number and in bytes: ZooKeeper's {@code globalOutstandingLimit}, plus bytes,
 * since a change of up to {@code coord.max-data} is copied several times on its way to the log
 * (request, change, segment, entry, Raft's log cache) and a few hundred pipelined 1 MiB writes
 * would otherwise fill a member's heap.
 *
 * <p>At the limit the selector thread stops reading changes: a connection whose next request is a
 * change is <em>parked</em> — its input is no longer read, so TCP pushes back on the client — and
 * parked connections are resumed in the order they were parked once answers bring the member under
 * the limit again. A throttled client sees slower answers, never an error; other connections'
 * reads and pings are still served. When nothing is outstanding a change is always let in, so one
 * larger than the byte limit still goes through.
 *
 * <p>Threads: the selector thread acquires, parks and resumes ({@code parked} is its own); whichever
 * thread answers a change releases it. The counters are atomics; a release that brings the member
 * under the limit while connections are parked hands one resume to the selector thread (at most one
 * queued at a time), so a member that is not throttled pays no hand-off.
 */
final class OutstandingLimit {
    private final int maxRequests;
    private final long maxBytes;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    /** Connections waiting for room, in the order they were parked; selector thread only. */
    private final ArrayDeque<ZkConnection> parked = new ArrayDeque<>();
    /** Whether {@link #parked} may be non-empty: read by releasing threads. */
    private volatile boolean anyParked;

    private final AtomicBoolean resumeQueued = new AtomicBoolean();
    /** Times a connection was parked, since start ({@code mntr}). */
    private final LongAdder throttled = new LongAdder();

    OutstandingLimit(int maxRequests, long maxBytes) {
        if (maxRequests < 1 || maxBytes < 1)
            throw new IllegalArgumentException("limits must be positive: " + maxRequests + ", " + maxBytes);
        this.maxRequests = maxRequests;
        this.maxBytes = maxBytes;
    }

    /**
     * Lets a change of {@code size} bytes in unless the member is at its limit; selector thread (the
     * only one that adds, so the check and the add need no lock). Each admitted change must be
     * {@linkplain #release released} once answered.
     */
    boolean tryAcquire(long size) {
        if (full()) return false;
        requests.incrementAndGet();
        bytes.addAndGet(size);
        return true;
    }

    /**
     * The change of {@code size} bytes was answered (or failed); any thread. Resumes parked
     * connections, on the selector thread ({@code selector}), once the member is under its limit.
     */
    void release(long size, Executor selector) {
        requests.decrementAndGet();
        bytes.addAndGet(-size);
        if (anyParked) resumeSoon(selector);
    }

    /**
     * Parks a connection whose next change {@link #tryAcquire} refused, until there is room;
     * selector thread. The connection stops reading its input meanwhile.
     */
    void park(ZkConnection c, Executor selector) {
        parked.add(c);
        throttled.increment();
        anyParked = true;
        // A release between the refusal and now may not have seen anyParked: look again.
        resumeSoon(selector);
    }

    private void resumeSoon(Executor selector) {
        if (!full() && resumeQueued.compareAndSet(false, true)) selector.execute(this::resumeParked);
    }

    /** Resumes parked connections in order while there is room; selector thread. */
    private void resumeParked() {
        resumeQueued.set(false);
        while (true) {
            // Each gets a turn: one that fills the member again parks itself at the end.
            for (int n = parked.size(); n > 0 && !full(); n--) parked.poll().unthrottle();
            anyParked = !parked.isEmpty();
            // Still parked and full: the next release resumes them (it sees anyParked).
            if (!anyParked || full()) return;
        }
    }

    private boolean full() {
        return requests.get() >= maxRequests || bytes.get() >= maxBytes;
    }

    int outstandingRequests() {
        return requests.get();
    }

    long outstandingBytes() {
        return bytes.get();
    }

    long throttledCount() {
        return throttled.sum();
    }
}
