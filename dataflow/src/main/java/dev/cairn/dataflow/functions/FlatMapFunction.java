package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** Turns each input into zero or more outputs, handed to the collector before it returns. */
@FunctionalInterface
public interface FlatMapFunction<T, R> extends Serializable {
    void flatMap(T value, Collector<R> out) throws Exception;
}
