package dev.cairn.dataflow.functions;

import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.window.TimeWindow;
import java.io.Serializable;

/**
 * Evaluates a whole window of one key when it fires: all its elements (or, after an incremental
 * aggregate, the single aggregated result). Outputs carry the window's {@link TimeWindow#maxTimestamp()}.
 * With allowed lateness a window can fire again, with all its elements so far: outputs of a late
 * firing update (do not add to) earlier ones.
 */
@FunctionalInterface
public interface ProcessWindowFunction<T, O, K> extends Serializable {
    void process(K key, Context context, Iterable<T> elements, Collector<O> out) throws Exception;

    /** What a window function may see and do besides emitting. */
    interface Context {
        TimeWindow window();

        /** The watermark when the window fired ({@code Long.MAX_VALUE} at end of input). */
        long currentWatermark();

        /** Emits to a side output. */
        <X> void output(OutputTag<X> tag, X value);
    }
}
