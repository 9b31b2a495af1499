package dev.cairn.dataflow.internal.runtime;

import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.internal.operators.Output;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An operator's output: its main consumers, and per side output tag the consumers of that side
 * output. Side records with no consumer are dropped. Watermarks and idleness reach everyone.
 */
public final class NodeOutput<T> implements Output<T> {
    private final List<Downstream<T>> main = new ArrayList<>();
    private final Map<String, List<Downstream<?>>> sides = new HashMap<>();
    private final List<Downstream<?>> all = new ArrayList<>();
    private Downstream<T> single;
    private SubtaskMetrics.Operator metrics;

    public NodeOutput() {}

    /** Counts what this output emits into {@code metrics}. */
    void measure(SubtaskMetrics.Operator metrics) {
        this.metrics = metrics;
    }

    public void addMain(Downstream<T> downstream) {
        main.add(downstream);
        all.add(downstream);
        single = main.size() == 1 ? downstream : null;
    }

    public void addSide(String tagId, Downstream<?> downstream) {
        sides.computeIfAbsent(tagId, t -> new ArrayList<>()).add(downstream);
        all.add(downstream);
    }

    @Override
    public void emit(T value, long timestamp) {
        if (metrics != null) SubtaskMetrics.increment(metrics.recordsOut, 1);
        Downstream<T> only = single;
        if (only != null) {
            only.accept(value, timestamp);
            return;
        }
        for (int i = 0; i < main.size(); i++) main.get(i).accept(value, timestamp);
    }

    @Override
    @SuppressWarnings("unchecked") // the edges of a side output all carry the type of its tag
    public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {
        List<Downstream<?>> consumers = sides.get(tag.id());
        if (consumers == null) return;
        for (Downstream<?> d : consumers) ((Downstream<X>) d).accept(value, timestamp);
    }

    @Override
    public void emitWatermark(long watermark) {
        if (metrics != null) metrics.watermark.setOpaque(watermark);
        for (int i = 0; i < all.size(); i++) all.get(i).watermark(watermark);
    }

    @Override
    public void emitIdleness(boolean idle) {
        for (int i = 0; i < all.size(); i++) all.get(i).idleness(idle);
    }
}
