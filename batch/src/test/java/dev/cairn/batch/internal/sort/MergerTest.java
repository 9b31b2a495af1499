package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MergerTest {
    /** A record whose value remembers where it came from, to check stability. */
    record Tagged(byte[] key, int input, int position) {}

    static SegmentReader segment(List<byte[]> sortedKeys, int input) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(bytes);
        for (int i = 0; i < sortedKeys.size(); i++) {
            byte[] k = sortedKeys.get(i);
            w.append(k, 0, k.length, new byte[] {(byte) input, (byte) i}, 0, 2);
        }
        w.endSegment();
        byte[] data = bytes.toByteArray();
        return SegmentReader.of(new java.io.ByteArrayInputStream(data), data.length, "input " + input);
    }

    @Property(tries = 300)
    void mergingSortedInputsEqualsStableSortOfTheirConcatenation(
            @ForAll @Size(max = 6) List<@Size(max = 30) List<@Size(max = 3) byte[]>> inputs) throws IOException {
        List<SegmentReader> readers = new ArrayList<>();
        List<Tagged> all = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<byte[]> keys = new ArrayList<>(inputs.get(i));
            keys.sort(Arrays::compareUnsigned);
            readers.add(segment(keys, i));
            for (int p = 0; p < keys.size(); p++) all.add(new Tagged(keys.get(p), i, p));
        }
        all.sort(Comparator.comparing(Tagged::key, Arrays::compareUnsigned));
        List<String> want = all.stream().map(t -> Arrays.toString(t.key()) + "@" + t.input() + "." + t.position()).toList();

        List<String> got = new ArrayList<>();
        try (RawRecordIterator merged = Merger.merge(readers)) {
            while (merged.next()) {
                byte[] k = Arrays.copyOfRange(merged.keyArray(), merged.keyOffset(), merged.keyOffset() + merged.keyLength());
                byte[] v = merged.valueArray();
                got.add(Arrays.toString(k) + "@" + v[merged.valueOffset()] + "." + v[merged.valueOffset() + 1]);
            }
        }
        assertThat(got).isEqualTo(want);
    }

    @Property(tries = 200)
    void groupingVisitsEachKeyOnceWithAllItsValues(@ForAll @Size(max = 40) List<@IntRange(max = 5) Integer> keys,
                                                   @ForAll boolean skipSomeValues) throws IOException {
        List<byte[]> sorted = keys.stream().sorted().map(k -> new byte[] {k.byteValue()}).toList();
        GroupingIterator g = new GroupingIterator(segment(sorted, 0));
        List<String> got = new ArrayList<>();
        while (g.nextKey()) {
            int count = 0;
            while (g.hasNextValue()) {
                g.nextValue();
                count++;
                if (skipSomeValues && count == 1) break;
            }
            got.add(g.keyArray()[0] + "x" + count);
        }
        List<String> want = new ArrayList<>();
        keys.stream().sorted().distinct().forEach(k -> {
            long n = keys.stream().filter(k::equals).count();
            want.add(k + "x" + (skipSomeValues ? 1 : n));
        });
        assertThat(got).isEqualTo(want);
    }

    @Test
    void truncatedSegmentIsReportedWithItsSource() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(bytes);
        w.append(new byte[] {1, 2, 3}, 0, 3, new byte[] {4, 5}, 0, 2);
        byte[] data = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 1);
        SegmentReader r = SegmentReader.of(data, 0, data.length, "map-00001_1 from 127.0.0.1:1");
        assertThatThrownBy(r::next).isInstanceOf(IOException.class).hasMessageContaining("map-00001_1 from 127.0.0.1:1").hasMessageContaining("truncated");
        SegmentReader s = SegmentReader.of(new java.io.ByteArrayInputStream(data), data.length + 5, "x");
        assertThatThrownBy(() -> {
            while (s.next()) { }
        }).isInstanceOf(IOException.class);
    }
}
