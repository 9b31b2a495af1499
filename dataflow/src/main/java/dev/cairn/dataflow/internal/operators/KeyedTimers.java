package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.internal.state.KeyedStateBackend;
import dev.cairn.dataflow.internal.state.TimerQueue;

/**
 * The event-time and processing-time timers of one keyed operator, scoped like its state to the
 * backend's current key. Firing a timer makes its key current first.
 */
final class KeyedTimers<K, N> {
    /** Handles a fired timer; the timer's key is current. */
    interface Handler<K, N> {
        void onTimer(TimerQueue.Timer<K, N> timer, boolean eventTime) throws Exception;
    }

    private final KeyedStateBackend<K> backend;
    private final TimerQueue<K, N> eventTimers = new TimerQueue<>();
    private final TimerQueue<K, N> processingTimers = new TimerQueue<>();

    KeyedTimers(KeyedStateBackend<K> backend) {
        this.backend = backend;
    }

    /** The event-time then the processing-time timers, for snapshots. */
    java.util.List<TimerQueue<K, N>> queues() {
        return java.util.List.of(eventTimers, processingTimers);
    }

    private TimerQueue.Timer<K, N> timer(long time, N namespace) {
        return new TimerQueue.Timer<>(time, backend.currentKey(), backend.currentKeyGroup(), namespace);
    }

    void registerEventTime(long time, N namespace) {
        eventTimers.register(timer(time, namespace));
    }

    void deleteEventTime(long time, N namespace) {
        eventTimers.delete(timer(time, namespace));
    }

    void registerProcessingTime(long time, N namespace) {
        processingTimers.register(timer(time, namespace));
    }

    void deleteProcessingTime(long time, N namespace) {
        processingTimers.delete(timer(time, namespace));
    }

    /** Fires, in time order, every event-time timer at or before {@code watermark}. */
    void advanceWatermark(long watermark, Handler<K, N> handler) throws Exception {
        if (eventTimers.nextTime() > watermark) return;
        TimerQueue.Timer<K, N> t;
        while ((t = eventTimers.pollDue(watermark)) != null) {
            backend.setCurrentKey(t.key(), t.keyGroup());
            handler.onTimer(t, true);
        }
    }

    /** Fires, in time order, every processing-time timer at or before {@code now}. */
    void advanceProcessingTime(long now, Handler<K, N> handler) throws Exception {
        if (processingTimers.nextTime() > now) return;
        TimerQueue.Timer<K, N> t;
        while ((t = processingTimers.pollDue(now)) != null) {
            backend.setCurrentKey(t.key(), t.keyGroup());
            handler.onTimer(t, false);
        }
    }
}
