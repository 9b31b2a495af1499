package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The circular buffer, spills and merge against an in-memory model, with buffers small enough
 * that records wrap around the ring and runs pile up.
 */
class MapOutputBufferTest {
    @TempDir
    Path dir;

    record Rec(int partition, byte[] key, byte[] value) {}

    /** Sums 8-byte big-endian longs: a combiner whose result is easy to check. */
    static final class SumCombiner implements RawCombiner {
        long sum;
        int calls;

        @Override
        public void start(byte[] buf, int off, int len) {
            sum = ByteBuffer.wrap(buf, off, len).getLong();
        }

        @Override
        public void add(byte[] buf, int off, int len) {
            sum += ByteBuffer.wrap(buf, off, len).getLong();
            calls++;
        }

        @Override
        public void finish(BytesOut out) {
            out.writeLong(sum);
        }
    }

    static List<Rec> randomRecords(long seed, int count, int partitions, int keySpace, int maxKeyLen) {
        Random r = new Random(seed);
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int k = r.nextInt(keySpace);
            byte[] key = new byte[1 + Math.floorMod(k * 31, maxKeyLen)];
            for (int j = 0; j < key.length; j++) key[j] = (byte) (k * (j + 7) + j);
            byte[] value = ByteBuffer.allocate(8).putLong(r.nextInt(1000) - 200).array();
            recs.add(new Rec(Math.floorMod(Arrays.hashCode(key), partitions), key, value));
        }
        return recs;
    }

    static List<List<String>> readAll(MapOutputFile out) throws IOException {
        List<List<String>> parts = new ArrayList<>();
        byte[] data = Files.readAllBytes(out.dataFile());
        for (int p = 0; p < out.partitions(); p++) {
            MapOutputFile.Segment s = out.segment(p);
            List<String> recs = new ArrayList<>();
            try (SegmentReader r = SegmentReader.of(data, (int) s.offset(), (int) s.length(), "test")) {
                while (r.next()) {
                    recs.add(hex(r.keyArray(), r.keyOffset(), r.keyLength()) + "=" + ByteBuffer.wrap(r.valueArray(), r.valueOffset(), r.valueLength()).getLong());
                }
            }
            assertThat(recs).hasSize((int) s.records());
            parts.add(recs);
        }
        return parts;
    }

    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < off + len; i++) sb.append(String.format("%02x", b[i] & 0xFF));
        return sb.toString();
    }

    static Comparator<byte[]> unsigned() {
        return Arrays::compareUnsigned;
    }

    @ParameterizedTest(name = "buffer {0} bytes, {1} records, {2} partitions, combine {3}")
    @CsvSource({
            "256, 500, 1, false",
            "512, 3000, 3, false",
            "1024, 5000, 4, true",
            "4096, 20000, 7, true",
            "300, 2000, 2, true",
            "65536, 3000, 5, false",
    })
    void outputIsSortedPartitionedAndCombinedLikeTheModel(int buffer, int count, int partitions, boolean combine) throws Exception {
        List<Rec> recs = randomRecords(buffer * 31L + count, count, partitions, count / 3 + 1, 40);
        SumCombiner combiner = combine ? new SumCombiner() : null;
        MapOutputFile out;
        int spills;
        try (MapOutputBuffer b = new MapOutputBuffer(buffer, partitions, combiner, dir, "attempt")) {
            for (Rec r : recs) b.collect(r.partition(), r.key(), 0, r.key().length, r.value(), 0, 8);
            out = b.finish();
            spills = b.spillCount();
            assertThat(b.recordsCollected()).isEqualTo(count);
        }
        if (buffer < 10_000) assertThat(spills).as("tiny buffer spills many runs").isGreaterThan(3);
        assertThat(MapOutputFile.read(MapOutputFile.indexPath(dir, "attempt"))).isEqualTo(out);

        List<List<String>> actual = readAll(out);
        for (int p = 0; p < partitions; p++) {
            final int part = p;
            List<Rec> mine = recs.stream().filter(r -> r.partition() == part).toList();
            if (combine) {
                TreeMap<byte[], Long> sums = new TreeMap<>(unsigned());
                for (Rec r : mine) sums.merge(r.key(), ByteBuffer.wrap(r.value()).getLong(), Long::sum);
                List<String> want = new ArrayList<>();
                sums.forEach((k, v) -> want.add(hex(k, 0, k.length) + "=" + v));
                assertThat(actual.get(p)).as("partition %d", p).isEqualTo(want);
            } else {
                List<String> want = mine.stream().sorted(Comparator.comparing(Rec::key, unsigned()))
                        .map(r -> hex(r.key(), 0, r.key().length) + "=" + ByteBuffer.wrap(r.value()).getLong()).toList();
                // Equal keys may come in any order across runs; compare as sorted multisets.
                assertThat(actual.get(p)).as("partition %d", p).containsExactlyInAnyOrderElementsOf(want);
                assertThat(actual.get(p).stream().map(s -> s.substring(0, s.indexOf('=')))).isSortedAccordingTo(Comparator.comparing(
                        (String s) -> java.util.HexFormat.of().parseHex(s), unsigned()));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("attempt.out", "attempt.index");
        }
    }

    @Test
    void recordsLargerThanTheBufferBecomeRunsOfTheirOwn() throws Exception {
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 'm');
        byte[] v = ByteBuffer.allocate(8).putLong(1).array();
        try (MapOutputBuffer b = new MapOutputBuffer(512, 2, null, dir, "a")) {
            b.collect(0, new byte[] {'z'}, 0, 1, v, 0, 8);
            b.collect(1, big, 0, big.length, v, 0, 8);
            b.collect(0, new byte[] {'a'}, 0, 1, v, 0, 8);
            MapOutputFile out = b.finish();
            List<List<String>> parts = readAll(out);
            assertThat(parts.get(0)).containsExactly("61=1", "7a=1");
            assertThat(parts.get(1)).containsExactly(hex(big, 0, big.length) + "=1");
        }
    }

    @Test
    void noRecordsGiveEmptySegmentsAndOneRunIsRenamedNotCopied() throws Exception {
        try (MapOutputBuffer b = new MapOutputBuffer(1024, 3, null, dir, "empty")) {
            MapOutputFile out = b.finish();
            assertThat(out.segments()).allSatisfy(s -> assertThat(s.length()).isZero());
            assertThat(b.spillCount()).isZero();
        }
        try (MapOutputBuffer b = new MapOutputBuffer(1 << 20, 2, null, dir, "one")) {
            b.collect(1, new byte[] {1}, 0, 1, new byte[8], 0, 8);
            MapOutputFile out = b.finish();
            assertThat(b.spillCount()).isEqualTo(1);
            assertThat(out.segment(0).length()).isZero();
            assertThat(out.segment(1).records()).isEqualTo(1);
        }
    }

    @Test
    void combinerRunsInTheFinalMergeOnlyFromThreeRuns() throws Exception {
        byte[] v = ByteBuffer.allocate(8).putLong(1).array();
        for (int runs : new int[] {2, 3}) {
            SumCombiner c = new SumCombiner();
            try (MapOutputBuffer b = new MapOutputBuffer(1 << 16, 0.8, 1, c, 3, dir, "r" + runs)) {
                for (int r = 0; r < runs; r++) {
                    b.collect(0, new byte[] {7}, 0, 1, v, 0, 8);
                    b.spillNow();
                }
                List<String> out = readAll(b.finish()).getFirst();
                if (runs < 3) assertThat(out).containsExactly("07=1", "07=1");
                else assertThat(out).containsExactly("07=3");
            }
        }
    }

    @Test
    void aThrowingCombinerFailsTheTaskAndLeavesNoFiles() throws Exception {
        RawCombiner bad = new RawCombiner() {
            @Override
            public void start(byte[] buf, int off, int len) {}

            @Override
            public void add(byte[] buf, int off, int len) {
                throw new IllegalStateException("combiner exploded");
            }

            @Override
            public void finish(BytesOut out) {}
        };
        MapOutputBuffer b = new MapOutputBuffer(256, 1, bad, dir, "bad");
        byte[] v = new byte[8];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) b.collect(0, new byte[] {1}, 0, 1, v, 0, 8);
            b.finish();
        }).isInstanceOf(IOException.class).hasRootCauseMessage("combiner exploded");
        b.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void closeWithoutFinishDeletesEverything() throws Exception {
        MapOutputBuffer b = new MapOutputBuffer(256, 2, null, dir, "aborted");
        for (int i = 0; i < 500; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, new byte[8], 0, 8);
        b.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
