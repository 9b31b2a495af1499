package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** A long of a record: the value {@code KeyedStream.sum} adds up. */
@FunctionalInterface
public interface ToLongFunction<T> extends Serializable {
    long applyAsLong(T value) throws Exception;
}
