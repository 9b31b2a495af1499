package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** Reads a record's event time, in milliseconds since the epoch. */
@FunctionalInterface
public interface TimestampExtractor<T> extends Serializable {
    long extractTimestamp(T value);
}
