package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.window.TimeWindow;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class WindowPropertiesTest {

    @Property
    void slidingWindowsAreExactlyTheAlignedOnesContainingTheTimestamp(
            @ForAll @LongRange(min = -1_000_000, max = 1_000_000) long ts,
            @ForAll @IntRange(min = 1, max = 50) int slide,
            @ForAll @IntRange(min = 1, max = 10) int slidesPerWindow,
            @ForAll @IntRange(min = 0, max = 49) int offsetSeed) {
        long size = (long) slide * slidesPerWindow + offsetSeed % slide; // sizes that do not divide by the slide too
        long offset = offsetSeed % slide;
        List<TimeWindow> expected = new ArrayList<>();
        for (long start = Math.floorDiv(ts - size - offset, slide) * slide + offset; start <= ts; start += slide) {
            if (start + size > ts) expected.add(new TimeWindow(start, start + size));
        }
        WindowAssigner.Sliding sliding = new WindowAssigner.Sliding(size, slide, offset);
        assertThat(sliding.assignWindows(ts)).containsExactlyElementsOf(expected);
    }

    /** Sessions from the operator, fed in any order, equal sessions cut from the sorted timestamps. */
    @Property(tries = 200)
    void sessionsMergeToTheSameWindowsWhateverTheArrivalOrder(
            @ForAll @Size(min = 1, max = 40) List<@LongRange(min = -500, max = 500) Long> timestamps,
            @ForAll @IntRange(min = 1, max = 60) int gap)
            throws Exception {
        OperatorHarness<String> h = new OperatorHarness<>(new WindowOperator.Factory<String, Long, List<Long>, String>(
                t -> "k",
                Codecs.STRING,
                WindowAssigner.session(Duration.ofMillis(gap)),
                0,
                null,
                WindowContents.buffering(
                        (key, context, elements, out) -> {
                            int n = 0;
                            for (Long ignored : elements) n++;
                            out.collect(context.window().start() + ".."
                                    + context.window().end() + " x" + n);
                        },
                        Codecs.LONG)));
        for (long ts : timestamps) h.element(ts, ts);
        h.watermark(Long.MAX_VALUE);

        List<Long> sorted = new ArrayList<>(timestamps);
        sorted.sort(null);
        List<String> expected = new ArrayList<>();
        long start = sorted.get(0);
        long end = start + gap;
        int n = 0;
        for (long ts : sorted) {
            if (ts > end) { // [ts, ts + gap) does not touch the session so far
                expected.add(start + ".." + end + " x" + n);
                start = ts;
                n = 0;
            }
            end = Math.max(end, ts + gap);
            n++;
        }
        expected.add(start + ".." + end + " x" + n);
        assertThat(h.drainValues())
                .containsExactlyElementsOf(
                        expected.stream().map(s -> (Object) s).toList());
    }
}
