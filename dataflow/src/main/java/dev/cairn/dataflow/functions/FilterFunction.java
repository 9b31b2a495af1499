package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** Keeps the inputs for which it returns true. */
@FunctionalInterface
public interface FilterFunction<T> extends Serializable {
    boolean filter(T value) throws Exception;
}
