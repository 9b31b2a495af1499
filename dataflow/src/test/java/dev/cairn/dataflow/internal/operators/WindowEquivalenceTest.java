package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.functions.ProcessWindowFunction;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.window.WindowAssigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The window operator against {@link ReferenceWindowOperator} (one timer per key and window, the
 * code before aligned windows got their own path) on seeded random streams: out-of-order records,
 * watermark jumps, allowed lateness, late records, and snapshots restored into either operator (the
 * snapshot format did not change) or split across two subtasks' key-group ranges.
 */
class WindowEquivalenceTest {
    /** A keyed value. */
    public record Reading(long key, long amount) {}

    static final OutputTag<Reading> LATE = new OutputTag<>("late", Codecs.record(Reading.class));
    static final int MAX_PARALLELISM = 128;

    /** Emits the key, window, sum, count and watermark of each firing. */
    static final ProcessWindowFunction<Reading, String, Long> DESCRIBE = (key, context, elements, out) -> {
        long sum = 0;
        int count = 0;
        for (Reading r : elements) {
            sum += r.amount();
            count++;
        }
        out.collect(key + " " + context.window() + " sum " + sum + " n " + count + " wm " + context.currentWatermark());
    };

    static final WindowAssigner[] ASSIGNERS = {
        new WindowAssigner.Tumbling(10_000, 0),
        new WindowAssigner.Tumbling(7_000, -3_000),
        new WindowAssigner.Sliding(10_000, 2_000, 0),
        new WindowAssigner.Sliding(10_000, 3_000, 1_000),
        new WindowAssigner.Sliding(2_000, 5_000, 0), // gaps between windows
    };
    static final long[] LATENESS = {0, 3_000, 25_000};

    /** One operator under test with what it emitted. */
    static final class Run {
        final StreamOperator<String> operator;
        final List<String> emitted = new ArrayList<>();

        @SuppressWarnings("unchecked") // both operators emit strings
        Run(
                boolean reference,
                WindowOperator.Factory<Long, Reading, List<Reading>, String> factory,
                KeyGroupRange range,
                byte[] restoreFrom)
                throws Exception {
            operator = reference ? new ReferenceWindowOperator<>(factory) : (StreamOperator<String>) factory.create();
            operator.setup(
                    new OperatorContext("window", 0, 1, MAX_PARALLELISM, range, new ManualClock(0), 4),
                    new Output<String>() {
                        @Override
                        public void emit(String value, long timestamp) {
                            emitted.add(value + " @" + timestamp);
                        }

                        @Override
                        public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {
                            emitted.add(tag.id() + " " + value + " @" + timestamp);
                        }

                        @Override
                        public void emitWatermark(long watermark) {}

                        @Override
                        public void emitIdleness(boolean idle) {}
                    });
            if (restoreFrom != null) ((CheckpointedOperator) operator).restoreState(new BytesIn(restoreFrom));
            operator.open();
        }

        @SuppressWarnings("unchecked") // the operator takes readings
        void element(Reading r, long timestamp) throws Exception {
            ((OneInputOperator<Reading>) operator).processElement(r, timestamp);
        }

        void watermark(long watermark) throws Exception {
            operator.processWatermark(watermark);
        }

        byte[] snapshot() throws Exception {
            BytesOut out = new BytesOut();
            ((CheckpointedOperator) operator).snapshotState(1, out);
            byte[] bytes = new byte[out.size()];
            System.arraycopy(out.array(), 0, bytes, 0, bytes.length);
            return bytes;
        }

        List<String> drain() {
            List<String> out = new ArrayList<>(emitted);
            emitted.clear();
            return out;
        }
    }

    static WindowOperator.Factory<Long, Reading, List<Reading>, String> factory(
            WindowAssigner assigner, long lateness, boolean sideOutput) {
        return new WindowOperator.Factory<>(
                Reading::key,
                Codecs.LONG,
                assigner,
                lateness,
                sideOutput ? LATE : null,
                WindowContents.buffering(DESCRIBE, Codecs.record(Reading.class)));
    }

    /** A seeded stream: records around a moving event time, watermarks that lag and jump. */
    record Step(Reading reading, long timestamp, long watermark, boolean checkpoint) {}

    static List<Step> stream(Random random, int steps) {
        List<Step> out = new ArrayList<>();
        long now = -40_000 + random.nextInt(20_000);
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < steps; i++) {
            int kind = random.nextInt(100);
            if (kind < 80) {
                long ts = now - random.nextInt(random.nextInt(10) == 0 ? 60_000 : 6_000);
                out.add(new Step(new Reading(random.nextInt(12), random.nextInt(1000)), ts, 0, false));
                now += random.nextInt(700);
            } else if (kind < 96) {
                long next = now - random.nextInt(random.nextInt(5) == 0 ? 40_000 : 5_000);
                if (random.nextInt(20) == 0) next = now + random.nextInt(30_000);
                watermark = Math.max(watermark, next);
                out.add(new Step(null, 0, watermark, false));
            } else {
                out.add(new Step(null, 0, 0, true));
            }
        }
        out.add(new Step(null, 0, Long.MAX_VALUE, false));
        return out;
    }

    /** Same output, step by step (in any order within a step, and in the same order of timestamps). */
    static void assertSame(List<String> actual, List<String> expected, int step) {
        assertThat(timestamps(actual)).as("timestamps at step %d", step).isEqualTo(timestamps(expected));
        assertThat(actual).as("step %d", step).containsExactlyInAnyOrderElementsOf(expected);
    }

    static List<String> timestamps(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) out.add(line.substring(line.lastIndexOf('@')));
        return out;
    }

    @Property(tries = 150)
    void alignedWindowsFireAsPerKeyTimersDidThroughSnapshotsInEitherFormat(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 4) int assigner,
            @ForAll @IntRange(min = 0, max = 2) int lateness,
            @ForAll boolean sideOutput)
            throws Exception {
        Random random = new Random(seed);
        var f = factory(ASSIGNERS[assigner], LATENESS[lateness], sideOutput);
        KeyGroupRange all = new KeyGroupRange(0, MAX_PARALLELISM - 1);
        Run actual = new Run(false, f, all, null);
        Run expected = new Run(true, f, all, null);
        List<Step> steps = stream(random, 400);
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.checkpoint()) {
                byte[] mine = actual.snapshot();
                byte[] theirs = expected.snapshot();
                boolean swap = random.nextBoolean();
                actual = new Run(false, f, all, swap ? theirs : mine);
                expected = new Run(true, f, all, swap ? mine : theirs);
            } else if (s.reading() != null) {
                actual.element(s.reading(), s.timestamp());
                expected.element(s.reading(), s.timestamp());
            } else {
                actual.watermark(s.watermark());
                expected.watermark(s.watermark());
            }
            assertSame(actual.drain(), expected.drain(), i);
        }
        assertThat(((WindowOperator<?, ?, ?, ?>) actual.operator).windowStateSize())
                .isZero();
    }

    @Property(tries = 60)
    void aSnapshotSplitsAcrossTwoSubtasksByKeyGroup(
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 4) int assigner,
            @ForAll @IntRange(min = 0, max = 2) int lateness)
            throws Exception {
        Random random = new Random(seed);
        var f = factory(ASSIGNERS[assigner], LATENESS[lateness], true);
        KeyGroupRange all = new KeyGroupRange(0, MAX_PARALLELISM - 1);
        KeyGroupRange[] halves = {new KeyGroupRange(0, 63), new KeyGroupRange(64, 127)};
        Run single = new Run(false, f, all, null);
        Run expected = new Run(true, f, all, null);
        Run[] split = null;
        BytesOut scratch = new BytesOut();
        List<Step> steps = stream(random, 400);
        int splitAt = steps.size() / 2;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (i == splitAt) {
                byte[] snapshot = single.snapshot();
                split = new Run[] {new Run(false, f, halves[0], snapshot), new Run(false, f, halves[1], snapshot)};
            }
            List<String> actual = new ArrayList<>();
            if (s.reading() != null) {
                expected.element(s.reading(), s.timestamp());
                if (split == null) {
                    single.element(s.reading(), s.timestamp());
                } else {
                    int group = KeyGroups.keyGroupOf(s.reading().key(), Codecs.LONG, MAX_PARALLELISM, scratch);
                    split[halves[0].contains(group) ? 0 : 1].element(s.reading(), s.timestamp());
                }
            } else if (!s.checkpoint()) {
                expected.watermark(s.watermark());
                if (split == null) single.watermark(s.watermark());
                else for (Run r : split) r.watermark(s.watermark());
            }
            if (split == null) actual.addAll(single.drain());
            else for (Run r : split) actual.addAll(r.drain());
            assertThat(actual).as("step %d", i).containsExactlyInAnyOrderElementsOf(expected.drain());
        }
    }
}
