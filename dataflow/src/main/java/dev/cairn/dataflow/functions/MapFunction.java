package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** Turns each input into exactly one output. Must not return null. */
@FunctionalInterface
public interface MapFunction<T, R> extends Serializable {
    R map(T value) throws Exception;
}
