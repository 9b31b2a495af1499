package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import java.util.ArrayList;
import java.util.List;

/**
 * A script of inputs for a keyed operator, replayed on instances of it that split the key groups
 * among them (each record goes to the instance owning its key's group; watermarks and processing
 * time go to all), as subtasks would. At one step every instance is checkpointed and replaced by
 * fresh instances, over another split, each restored from all the snapshots: a failure and a
 * restart, possibly at a different parallelism. What the instances emitted, tagged with the step
 * that made it, should equal a run without the checkpoint, as a multiset (timers due at the same
 * time may fire in another order after a restore).
 */
final class CheckpointRoundTrip<K> {
    /** One input to the operator. */
    sealed interface Step {}

    /** A record of {@code key}; {@code side} 0 for a one-input operator, 1 left and 2 right for two. */
    record Input(int side, Object key, Object value, long timestamp) implements Step {}

    record Watermark(long watermark) implements Step {}

    /** The clock moves on by {@code millis}. */
    record ProcessingTime(long millis) implements Step {}

    /** A record the operator emitted while taking step {@code step}. */
    record Out(int step, Object value, long timestamp) {}

    static final int MAX_PARALLELISM = 128;

    private final OperatorFactory factory;
    private final Codec<K> keyCodec;
    private final List<Step> steps = new ArrayList<>();
    private final BytesOut scratch = new BytesOut();

    CheckpointRoundTrip(OperatorFactory factory, Codec<K> keyCodec) {
        this.factory = factory;
        this.keyCodec = keyCodec;
    }

    CheckpointRoundTrip<K> element(K key, Object value, long timestamp) {
        steps.add(new Input(0, key, value, timestamp));
        return this;
    }

    CheckpointRoundTrip<K> left(K key, Object value, long timestamp) {
        steps.add(new Input(1, key, value, timestamp));
        return this;
    }

    CheckpointRoundTrip<K> right(K key, Object value, long timestamp) {
        steps.add(new Input(2, key, value, timestamp));
        return this;
    }

    CheckpointRoundTrip<K> watermark(long watermark) {
        steps.add(new Watermark(watermark));
        return this;
    }

    CheckpointRoundTrip<K> processingTime(long millis) {
        steps.add(new ProcessingTime(millis));
        return this;
    }

    int size() {
        return steps.size();
    }

    int keyGroupOf(K key) {
        return KeyGroups.keyGroupOf(key, keyCodec, MAX_PARALLELISM, scratch);
    }

    /** The key groups of subtask {@code i} of {@code parallelism}, for each subtask. */
    static List<KeyGroupRange> split(int parallelism) {
        List<KeyGroupRange> ranges = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) ranges.add(KeyGroupRange.forSubtask(MAX_PARALLELISM, parallelism, i));
        return ranges;
    }

    /** The whole script on one instance, no checkpoint. */
    List<Out> run() throws Exception {
        return run(steps.size(), 1, 1);
    }

    /**
     * The script on {@code before} instances up to step {@code cut} (excluded), then on
     * {@code after} instances restored from all their snapshots.
     */
    List<Out> run(int cut, int before, int after) throws Exception {
        List<OperatorHarness<Object>> instances = open(split(before), List.of(), 0);
        List<Out> out = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            if (i == cut) {
                List<byte[]> snapshots = new ArrayList<>();
                for (OperatorHarness<Object> h : instances) snapshots.add(h.snapshot(i));
                instances = open(split(after), snapshots, now);
            }
            switch (steps.get(i)) {
                case Input in -> {
                    OperatorHarness<Object> h = owner(instances, in.key());
                    if (in.side() == 0) h.element(in.value(), in.timestamp());
                    else if (in.side() == 1) h.left(in.value(), in.timestamp());
                    else h.right(in.value(), in.timestamp());
                }
                case Watermark w -> {
                    for (OperatorHarness<Object> h : instances) h.watermark(w.watermark());
                }
                case ProcessingTime t -> {
                    now += t.millis();
                    for (OperatorHarness<Object> h : instances) h.advanceProcessingTime(t.millis());
                }
            }
            for (OperatorHarness<Object> h : instances) {
                for (OperatorHarness.Emitted e : h.drain()) {
                    if (e instanceof OperatorHarness.Record r) out.add(new Out(i, r.value(), r.timestamp()));
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked") // inputs carry keys of type K
    private OperatorHarness<Object> owner(List<OperatorHarness<Object>> instances, Object key) {
        int group = keyGroupOf((K) key);
        List<KeyGroupRange> ranges = split(instances.size());
        for (int i = 0; i < ranges.size(); i++) if (ranges.get(i).contains(group)) return instances.get(i);
        throw new IllegalStateException("no instance owns key group " + group);
    }

    private List<OperatorHarness<Object>> open(List<KeyGroupRange> ranges, List<byte[]> snapshots, long now)
            throws Exception {
        List<OperatorHarness<Object>> instances = new ArrayList<>();
        for (KeyGroupRange r : ranges) instances.add(OperatorHarness.restored(factory, r, snapshots, now));
        return instances;
    }
}
