package dev.cairn.dataflow.functions;

import dev.cairn.dataflow.OutputTag;
import java.io.Serializable;

/**
 * The general record-at-a-time operation on a stream that is not keyed: sees each record with
 * its timestamp and may emit any number of records to the main output and to side outputs, e.g.
 * records it cannot handle to a "malformed" side output instead of failing the job. It keeps no
 * state across a failure and sets no timers (key the stream and use {@link KeyedProcessFunction}
 * for those).
 *
 * <p>Outputs, main and side, carry the timestamp of the input record.
 */
@FunctionalInterface
public interface ProcessFunction<T, R> extends Serializable {
    void processElement(T value, Context context, Collector<R> out) throws Exception;

    /** What a process function sees besides the record. Valid only during the call that received it. */
    interface Context {
        /** The record's timestamp, or {@code Long.MIN_VALUE} if it has none. */
        long timestamp();

        /**
         * Emits {@code value} (never null) to side output {@code tag}, read with
         * {@link dev.cairn.dataflow.Stream#sideOutput}; dropped if nothing reads that side output.
         */
        <X> void output(OutputTag<X> tag, X value);
    }
}
