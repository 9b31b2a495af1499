package dev.cairn.dataflow.functions;

import dev.cairn.dataflow.window.TimeWindow;
import java.io.Serializable;

/**
 * Sees all left and all right records of one key and one window at once, when the window fires.
 * Either side may be empty (never both).
 */
@FunctionalInterface
public interface CoGroupFunction<K, L, R, O> extends Serializable {
    void coGroup(K key, TimeWindow window, Iterable<L> left, Iterable<R> right, Collector<O> out) throws Exception;
}
