package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.OutputTag;

/**
 * Where an operator sends what it produces: a chained operator (a direct call), an exchange, or
 * several of these. Records carry a timestamp ({@link #NO_TIMESTAMP} if they have none).
 * Watermarks and idleness go to every consumer of the main and side outputs.
 */
public interface Output<T> {
    long NO_TIMESTAMP = Long.MIN_VALUE;

    void emit(T value, long timestamp);

    <X> void emitSide(OutputTag<X> tag, X value, long timestamp);

    void emitWatermark(long watermark);

    void emitIdleness(boolean idle);
}
