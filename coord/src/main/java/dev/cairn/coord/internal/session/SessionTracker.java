package dev.cairn.coord.internal.session;

import dev.cairn.common.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decides which client sessions have expired, on the coord leader. It only decides: the leader
 * turns what {@link #expired()} returns into CloseSession entries in the replicated log, and a
 * session ends everywhere when that entry is applied — replicas never expire sessions by their
 * own clocks.
 *
 * <p>Every member feeds it the same way (session created, touched by a request or ping on any
 * member, closed), but only the leader's instance is consulted. A member that becomes leader
 * calls {@link #resetAll()}: it cannot know how recently the old leader heard from each client,
 * so every session gets one full timeout from the moment of the change — a late expiry, never a
 * wrong one.
 *
 * <p>Time comes from the injected {@link Clock}; not thread-safe (owned by one thread).
 */
public final class SessionTracker {
    private record Entry(int timeoutMs, long deadlineNanos) {}

    private final Clock clock;
    private final Map<Long, Entry> sessions = new HashMap<>();

    public SessionTracker(Clock clock) {
        this.clock = clock;
    }

    /** A session exists (created, or restored from a snapshot) with this timeout; it starts fresh. */
    public void track(long sessionId, int timeoutMs) {
        sessions.put(sessionId, new Entry(timeoutMs, deadline(timeoutMs)));
    }

    /** The client showed signs of life; unknown sessions are ignored. */
    public void touch(long sessionId) {
        sessions.computeIfPresent(sessionId, (id, e) -> new Entry(e.timeoutMs(), deadline(e.timeoutMs())));
    }

    public void remove(long sessionId) {
        sessions.remove(sessionId);
    }

    /** On becoming leader: every session gets a full timeout from now. */
    public void resetAll() {
        sessions.replaceAll((id, e) -> new Entry(e.timeoutMs(), deadline(e.timeoutMs())));
    }

    /** Forgets every session not in {@code live} (after the state was replaced from a snapshot). */
    public void retainOnly(java.util.Set<Long> live) {
        sessions.keySet().retainAll(live);
    }

    public boolean isTracked(long sessionId) {
        return sessions.containsKey(sessionId);
    }

    /**
     * Sessions whose deadline has passed, in id order. Each is reported again at every call until
     * it is removed (its close was applied) or touched, so a lost proposal is retried.
     */
    public List<Long> expired() {
        long now = clock.nanos();
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Long, Entry> e : sessions.entrySet()) {
            if (now - e.getValue().deadlineNanos() >= 0) out.add(e.getKey());
        }
        out.sort(null);
        return out;
    }

    public int size() {
        return sessions.size();
    }

    private long deadline(int timeoutMs) {
        return clock.nanos() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }
}
