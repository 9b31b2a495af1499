package dev.cairn.dataflow.functions;

import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.state.KeyedStateStore;
import java.io.Serializable;

/**
 * The low-level keyed operation: sees each record with its key, keeps keyed state, and sets
 * event-time and processing-time timers. State and timers are scoped to the key of the record
 * (or timer) being processed.
 *
 * <p>Lifecycle per subtask: {@link #open} once (create state handles here, from the store), then
 * {@link #processElement} and {@link #onTimer} in any interleaving, from one thread.
 *
 * <p>Timers: a timer is identified by (key, time); registering it twice keeps one. An event-time
 * timer fires when the watermark reaches its time; a processing-time timer when the runtime's
 * clock does. At the end of a bounded input the final watermark fires every event-time timer;
 * processing-time timers still pending are dropped.
 */
public abstract class KeyedProcessFunction<K, T, O> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Called once before any record; state handles come from {@code stateStore}. */
    public void open(KeyedStateStore stateStore) throws Exception {}

    public abstract void processElement(T value, Context<K, O> context, Collector<O> out) throws Exception;

    /** A timer of the current key fired; {@code context.timestamp()} is its time. */
    public void onTimer(long timestamp, Context<K, O> context, Collector<O> out) throws Exception {}

    /** What a keyed process function sees besides the record. */
    public interface Context<K, O> {
        /** The record's (or firing event-time timer's) timestamp, or {@code Long.MIN_VALUE} if it has none. */
        long timestamp();

        K currentKey();

        TimerService timerService();

        <X> void output(OutputTag<X> tag, X value);
    }

    /** Timers of the current key, and the two clocks. */
    public interface TimerService {
        long currentWatermark();

        long currentProcessingTime();

        void registerEventTimeTimer(long time);

        void registerProcessingTimeTimer(long time);

        void deleteEventTimeTimer(long time);

        void deleteProcessingTimeTimer(long time);
    }
}
