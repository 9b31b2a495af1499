package dev.cairn.dataflow.internal.state;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Timers of one kind (event or processing time) of one keyed operator: at most one timer per
 * (time, key, namespace), fired in time order. Deletion is lazy: a deleted timer stays queued
 * but is skipped. Each timer records its key group, so a snapshot can write them per key group.
 */
public final class TimerQueue<K, N> {
    /** A pending timer. */
    public record Timer<K, N>(long time, K key, int keyGroup, N namespace) {}

    private final PriorityQueue<Timer<K, N>> queue = new PriorityQueue<>((a, b) -> Long.compare(a.time(), b.time()));
    private final Set<Timer<K, N>> live = new HashSet<>();

    public void register(Timer<K, N> timer) {
        if (live.add(timer)) queue.add(timer);
    }

    public void delete(Timer<K, N> timer) {
        live.remove(timer);
    }

    /** The earliest live timer due at or before {@code time}, removed; or null. */
    public Timer<K, N> pollDue(long time) {
        while (!queue.isEmpty() && queue.peek().time() <= time) {
            Timer<K, N> t = queue.poll();
            if (live.remove(t)) return t;
        }
        return null;
    }

    /** The time of the earliest queued timer (possibly deleted), or {@code Long.MAX_VALUE}. */
    public long nextTime() {
        Timer<K, N> head = queue.peek();
        return head == null ? Long.MAX_VALUE : head.time();
    }

    /** The live timers, in no particular order: a copy, for snapshots. */
    public java.util.List<Timer<K, N>> live() {
        return new java.util.ArrayList<>(live);
    }

    public int size() {
        return live.size();
    }

    public void clear() {
        queue.clear();
        live.clear();
    }
}
