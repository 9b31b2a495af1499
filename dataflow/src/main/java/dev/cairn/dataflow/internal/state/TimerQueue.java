package dev.cairn.dataflow.internal.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Timers of one kind (event or processing time) of one keyed operator: at most one timer per
 * (time, key, namespace), fired in time order, those of one time in the order they were
 * registered. Each timer records its key group, so a snapshot can write them per key group.
 *
 * <p>Timers are kept in buckets, one per time: operators register many timers for few times (every
 * key of a window fires at the window's end), so a bucket is found by a tree lookup (or the last
 * bucket used, without one), registering and deleting are one hash operation, and firing takes the
 * head of the earliest bucket — no heap to sift, and deletion is immediate.
 */
public final class TimerQueue<K, N> {
    /** A pending timer. */
    public record Timer<K, N>(long time, K key, int keyGroup, N namespace) {}

    private final TreeMap<Long, LinkedHashSet<Timer<K, N>>> byTime = new TreeMap<>();
    /** The bucket last registered into, and its time; null if none (or it was emptied). */
    private LinkedHashSet<Timer<K, N>> lastBucket;

    private long lastTime;
    private int size;

    public void register(Timer<K, N> timer) {
        LinkedHashSet<Timer<K, N>> bucket = lastBucket;
        if (bucket == null || lastTime != timer.time()) {
            bucket = byTime.computeIfAbsent(timer.time(), t -> new LinkedHashSet<>());
            lastBucket = bucket;
            lastTime = timer.time();
        }
        if (bucket.add(timer)) size++;
    }

    public void delete(Timer<K, N> timer) {
        LinkedHashSet<Timer<K, N>> bucket =
                lastBucket != null && lastTime == timer.time() ? lastBucket : byTime.get(timer.time());
        if (bucket == null || !bucket.remove(timer)) return;
        size--;
        if (bucket.isEmpty()) removeBucket(timer.time());
    }

    private void removeBucket(long time) {
        byTime.remove(time);
        if (lastBucket != null && lastTime == time) lastBucket = null;
    }

    /** The earliest timer due at or before {@code time}, removed; or null. */
    public Timer<K, N> pollDue(long time) {
        Map.Entry<Long, LinkedHashSet<Timer<K, N>>> first = byTime.firstEntry();
        if (first == null || first.getKey() > time) return null;
        LinkedHashSet<Timer<K, N>> bucket = first.getValue();
        Iterator<Timer<K, N>> it = bucket.iterator();
        Timer<K, N> t = it.next();
        it.remove();
        size--;
        if (bucket.isEmpty()) removeBucket(first.getKey());
        return t;
    }

    /** The time of the earliest timer, or {@code Long.MAX_VALUE}. */
    public long nextTime() {
        return byTime.isEmpty() ? Long.MAX_VALUE : byTime.firstKey();
    }

    /** The timers, in no particular order: a copy, for snapshots. */
    public List<Timer<K, N>> live() {
        List<Timer<K, N>> all = new ArrayList<>(size);
        for (LinkedHashSet<Timer<K, N>> bucket : byTime.values()) all.addAll(bucket);
        return all;
    }

    public int size() {
        return size;
    }

    public void clear() {
        byTime.clear();
        lastBucket = null;
        size = 0;
    }
}
