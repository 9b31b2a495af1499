package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives one operator instance by hand on the test's thread: records, watermarks and processing
 * time go in, and everything it emits is recorded in order. Owns all key groups (of 128), and a
 * manual clock starting at epoch millisecond 0, unless built {@link #restored} from snapshots.
 */
public final class OperatorHarness<O> {
    /** What came out, in order. */
    public sealed interface Emitted {}

    public record Record(Object value, long timestamp) implements Emitted {}

    public record Side(String tag, Object value, long timestamp) implements Emitted {}

    public record Watermark(long watermark) implements Emitted {}

    public record Idleness(boolean idle) implements Emitted {}

    public final ManualClock clock;
    private final StreamOperator<O> operator;
    private final List<Emitted> emitted = new ArrayList<>();

    public OperatorHarness(OperatorFactory factory) throws Exception {
        this(factory, new KeyGroupRange(0, 127), List.of(), 0);
    }

    /**
     * An instance owning {@code keyGroups} of 128, its clock at {@code nowMillis}, restored from
     * every one of {@code snapshots} (as {@link #snapshot} wrote them) before it opens.
     */
    public static <O> OperatorHarness<O> restored(
            OperatorFactory factory, KeyGroupRange keyGroups, List<byte[]> snapshots, long nowMillis) throws Exception {
        return new OperatorHarness<>(factory, keyGroups, snapshots, nowMillis);
    }

    @SuppressWarnings("unchecked") // the test names the factory's output type
    private OperatorHarness(OperatorFactory factory, KeyGroupRange keyGroups, List<byte[]> snapshots, long nowMillis)
            throws Exception {
        clock = new ManualClock(nowMillis);
        operator = (StreamOperator<O>) factory.create();
        operator.setup(new OperatorContext("op under test", 0, 1, 128, keyGroups, clock, 4), new Output<O>() {
            @Override
            public void emit(O value, long timestamp) {
                emitted.add(new Record(value, timestamp));
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {
                emitted.add(new Side(tag.id(), value, timestamp));
            }

            @Override
            public void emitWatermark(long watermark) {
                emitted.add(new Watermark(watermark));
            }

            @Override
            public void emitIdleness(boolean idle) {
                emitted.add(new Idleness(idle));
            }
        });
        for (byte[] snapshot : snapshots) ((CheckpointedOperator) operator).restoreState(new BytesIn(snapshot));
        operator.open();
    }

    /** The operator's checkpointed state, as the runtime takes it at a barrier. */
    public byte[] snapshot(long checkpointId) throws Exception {
        BytesOut out = new BytesOut();
        ((CheckpointedOperator) operator).snapshotState(checkpointId, out);
        return out.toByteArray();
    }

    public StreamOperator<O> operator() {
        return operator;
    }

    @SuppressWarnings("unchecked") // the test feeds the operator's input type
    public <I> OperatorHarness<O> element(I value, long timestamp) throws Exception {
        ((OneInputOperator<I>) operator).processElement(value, timestamp);
        return this;
    }

    @SuppressWarnings("unchecked") // as above, left input
    public <L> OperatorHarness<O> left(L value, long timestamp) throws Exception {
        ((TwoInputOperator<L, ?>) operator).processElement1(value, timestamp);
        return this;
    }

    @SuppressWarnings("unchecked") // as above, right input
    public <R> OperatorHarness<O> right(R value, long timestamp) throws Exception {
        ((TwoInputOperator<?, R>) operator).processElement2(value, timestamp);
        return this;
    }

    public OperatorHarness<O> watermark(long watermark) throws Exception {
        operator.processWatermark(watermark);
        return this;
    }

    public OperatorHarness<O> advanceProcessingTime(long millis) throws Exception {
        clock.advance(millis, TimeUnit.MILLISECONDS);
        operator.onProcessingTime(clock.millis());
        return this;
    }

    /** Everything emitted since the last call, then forgets it. */
    public List<Emitted> drain() {
        List<Emitted> out = List.copyOf(emitted);
        emitted.clear();
        return out;
    }

    /** The main-output records emitted since the last call (forgetting everything else). */
    public List<Object> drainValues() {
        List<Object> out = new ArrayList<>();
        for (Emitted e : drain()) if (e instanceof Record r) out.add(r.value());
        return out;
    }
}
