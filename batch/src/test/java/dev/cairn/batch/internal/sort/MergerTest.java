package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MergerTest {
    /** A record whose value remembers where it came from, to check stability. */
    record Tagged(byte[] key, int input, int position) {}

    /** A segment of the keys, which must be sorted; each value is (input, position). */
    static SegmentReader segment(List<byte[]> sortedKeys, int input) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(bytes, 64);
        for (int i = 0; i < sortedKeys.size(); i++) {
            byte[] k = sortedKeys.get(i);
            w.append(k, 0, k.length, new byte[] {(byte) input, (byte) i}, 0, 2);
        }
        int crc = w.endSegment().crc32c();
        w.flush();
        byte[] data = bytes.toByteArray();
        return SegmentReader.of(new ByteArrayInputStream(data), data.length, "input " + input, crc, new byte[16]);
    }

    @Property(tries = 300, seed = "31337")
    void mergingSortedInputsEqualsStableSortOfTheirConcatenation(
            @ForAll @Size(max = 8) List<@Size(max = 40) List<@Size(max = 10) byte[]>> inputs) throws IOException {
        List<SegmentReader> readers = new ArrayList<>();
        List<Tagged> all = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<byte[]> keys = new ArrayList<>(inputs.get(i));
            keys.sort(Arrays::compareUnsigned);
            readers.add(segment(keys, i));
            for (int p = 0; p < keys.size(); p++) all.add(new Tagged(keys.get(p), i, p));
        }
        // List.sort is stable: equal keys stay in input order, then position order.
        all.sort(Comparator.comparing(Tagged::key, Arrays::compareUnsigned));
        List<String> want = all.stream()
                .map(t -> Arrays.toString(t.key()) + "@" + t.input() + "." + t.position())
                .toList();

        List<String> got = new ArrayList<>();
        try (RawRecordIterator merged = Merger.merge(readers)) {
            while (merged.next()) {
                byte[] k = Arrays.copyOfRange(
                        merged.keyArray(), merged.keyOffset(), merged.keyOffset() + merged.keyLength());
                byte[] v = merged.valueArray();
                got.add(Arrays.toString(k) + "@" + v[merged.valueOffset()] + "." + v[merged.valueOffset() + 1]);
            }
            assertThat(merged.next()).isFalse();
        }
        assertThat(got).isEqualTo(want);
    }

    @Test
    void mergingNothingYieldsNothing() throws IOException {
        try (RawRecordIterator merged = Merger.merge(List.of())) {
            assertThat(merged.next()).isFalse();
        }
    }

    @Test
    void closingTheMergeClosesEveryInputAndReportsTheFirstFailure() {
        int[] closed = {0};
        List<RawRecordIterator> inputs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            inputs.add(new RawRecordIterator() {
                public boolean next() {
                    return false;
                }

                public byte[] keyArray() {
                    return null;
                }

                public int keyOffset() {
                    return 0;
                }

                public int keyLength() {
                    return 0;
                }

                public byte[] valueArray() {
                    return null;
                }

                public int valueOffset() {
                    return 0;
                }

                public int valueLength() {
                    return 0;
                }

                public void close() throws IOException {
                    closed[0]++;
                    if (n > 0) throw new IOException("close " + n);
                }
            });
        }
        assertThatThrownBy(() -> Merger.merge(inputs).close()).hasMessage("close 1");
        assertThat(closed[0]).isEqualTo(3);
    }

    @Property(tries = 300, seed = "777")
    void groupingVisitsEachKeyOnceWithAllItsValuesInOrder(
            @ForAll @Size(max = 60) List<@IntRange(max = 6) Integer> keys, @ForAll @IntRange(max = 3) int valuesToRead)
            throws IOException {
        // Keys of varying lengths, including the empty key and keys that are prefixes of others.
        List<byte[]> sorted = keys.stream()
                .map(MergerTest::keyOf)
                .sorted(Arrays::compareUnsigned)
                .toList();
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (byte[] k : sorted) counts.merge(Arrays.toString(k), 1, Integer::sum);

        GroupingIterator g = new GroupingIterator(segment(sorted, 0));
        assertThat(g.hasNextValue()).as("no key yet").isFalse();
        List<String> got = new ArrayList<>();
        List<String> want = new ArrayList<>();
        int position = 0;
        byte[] previous = null;
        while (g.nextKey()) {
            byte[] key = Arrays.copyOfRange(g.keyArray(), g.keyOffset(), g.keyOffset() + g.keyLength());
            if (previous != null)
                assertThat(Arrays.compareUnsigned(previous, key)).isNegative();
            previous = key;
            int n = counts.get(Arrays.toString(key));
            int read = 0;
            // Read all values, or stop early and let nextKey skip the rest.
            while ((valuesToRead == 0 || read < valuesToRead) && g.hasNextValue()) {
                g.nextValue();
                assertThat(g.valueArray()[g.valueOffset() + 1])
                        .as("values in order")
                        .isEqualTo((byte) (position + read));
                read++;
            }
            if (read == n) assertThatThrownBy(g::nextValue).isInstanceOf(NoSuchElementException.class);
            position += n;
            got.add(Arrays.toString(key) + "x" + read);
            want.add(Arrays.toString(key) + "x" + (valuesToRead == 0 ? n : Math.min(n, valuesToRead)));
        }
        assertThat(got).isEqualTo(want);
        assertThat(got).hasSize(counts.size());
        assertThat(g.nextKey()).isFalse();
        assertThat(g.hasNextValue()).isFalse();
    }

    private static byte[] keyOf(int k) {
        return switch (k) {
            case 0 -> new byte[0];
            case 1 -> new byte[] {0};
            case 2 -> new byte[] {0, 0};
            case 3 -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
            case 4 -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9};
            case 5 -> new byte[] {(byte) 0x80};
            default -> new byte[] {(byte) 0xFF, 1};
        };
    }
}
