package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesOut;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ring, spills and final merge against an in-memory model, with buffers small enough that
 * records wrap around the ring and runs pile up.
 */
class MapOutputBufferTest {
    @TempDir
    Path dir;

    record Rec(int partition, byte[] key, byte[] value) {}

    /** Sums 8-byte big-endian longs, counting its calls; the sums are easy to check. */
    static class SumCombiner implements RawCombiner {
        final AtomicLong starts = new AtomicLong();
        final AtomicLong adds = new AtomicLong();
        long sum;

        @Override
        public void start(byte[] buf, int off, int len) throws Exception {
            assertThat(len).isEqualTo(8);
            starts.incrementAndGet();
            sum = ByteBuffer.wrap(buf, off, len).getLong();
        }

        @Override
        public void add(byte[] buf, int off, int len) throws Exception {
            assertThat(len).isEqualTo(8);
            adds.incrementAndGet();
            sum += ByteBuffer.wrap(buf, off, len).getLong();
        }

        @Override
        public void finish(BytesOut out) {
            out.writeLong(sum);
        }
    }

    static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /**
     * Records over a pool of keys (so keys repeat), keys 0 to 40 bytes with many sharing an
     * 8-byte prefix, values 8-byte longs when combining and 0 to 30 random bytes otherwise; with
     * {@code bigEvery > 0}, every so often a record larger than {@code buffer}.
     */
    static List<Rec> randomRecords(long seed, int count, int partitions, boolean longValues, int buffer, int bigEvery) {
        Random r = new Random(seed);
        byte[][] pool = new byte[count / 3 + 1][];
        for (int i = 0; i < pool.length; i++) {
            byte[] k = new byte[r.nextInt(4) == 0 ? r.nextInt(41) : r.nextInt(12)];
            r.nextBytes(k);
            if (k.length > 8 && r.nextBoolean())
                System.arraycopy(new byte[] {'s', 'h', 'a', 'r', 'e', 'd', 0, -1}, 0, k, 0, 8);
            pool[i] = k;
        }
        List<Rec> recs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] key = pool[r.nextInt(pool.length)];
            byte[] value;
            if (longValues) {
                value = longBytes(r.nextInt(1000) - 200);
            } else {
                value = new byte[r.nextInt(31)];
                r.nextBytes(value);
            }
            if (bigEvery > 0 && r.nextInt(bigEvery) == 0) {
                if (longValues) key = Arrays.copyOf(key, buffer + r.nextInt(100));
                else value = new byte[buffer + r.nextInt(100)];
            }
            recs.add(new Rec(Math.floorMod(Arrays.hashCode(key), partitions), key, value));
        }
        return recs;
    }

    /** Every partition's records, read from the data file and checked against the index's counts and CRCs. */
    static List<List<Rec>> readAll(MapOutputFile out) throws IOException {
        byte[] data = Files.readAllBytes(out.dataFile());
        assertThat((long) data.length).isEqualTo(out.totalLength());
        List<List<Rec>> parts = new ArrayList<>();
        long offset = 0;
        for (int p = 0; p < out.partitions(); p++) {
            MapOutputFile.Segment s = out.segment(p);
            assertThat(s.offset()).as("segments are back to back").isEqualTo(offset);
            offset += s.length();
            List<Rec> recs = new ArrayList<>();
            try (SegmentReader r =
                    SegmentReader.of(data, (int) s.offset(), (int) s.length(), "partition " + p, s.crc32c())) {
                while (r.next()) {
                    recs.add(new Rec(
                            p,
                            Arrays.copyOfRange(r.keyArray(), r.keyOffset(), r.keyOffset() + r.keyLength()),
                            Arrays.copyOfRange(r.valueArray(), r.valueOffset(), r.valueOffset() + r.valueLength())));
                }
            }
            assertThat(recs).hasSize((int) s.records());
            parts.add(recs);
        }
        return parts;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * Checks the output against the model: per partition sorted by key. With a combiner the sums
     * per key match, and each key appears once if {@code fullyCombined} (one run, or enough runs
     * for the final merge to combine); otherwise at most once per run.
     */
    static void assertMatchesModel(
            List<Rec> recs, int partitions, SumCombiner combiner, boolean fullyCombined, MapOutputFile out)
            throws IOException {
        List<List<Rec>> actual = readAll(out);
        assertThat(actual).hasSize(partitions);
        for (int p = 0; p < partitions; p++) {
            final int part = p;
            List<Rec> mine = recs.stream().filter(r -> r.partition() == part).toList();
            List<Rec> got = actual.get(p);
            for (int i = 1; i < got.size(); i++) {
                assertThat(Arrays.compareUnsigned(
                                got.get(i - 1).key(), got.get(i).key()))
                        .as("partition %d sorted at %d", p, i)
                        .isLessThanOrEqualTo(fullyCombined ? -1 : 0);
            }
            if (combiner != null) {
                assertThat(sums(got)).as("partition %d", p).isEqualTo(sums(mine));
            } else {
                // Values of one key may come in any order; compare as multisets.
                Comparator<String> byText = Comparator.naturalOrder();
                List<String> want = mine.stream()
                        .map(r -> hex(r.key()) + "=" + hex(r.value()))
                        .sorted(byText)
                        .toList();
                assertThat(got.stream()
                                .map(r -> hex(r.key()) + "=" + hex(r.value()))
                                .sorted(byText)
                                .toList())
                        .as("partition %d", p)
                        .isEqualTo(want);
            }
        }
    }

    /** key hex = sum of its 8-byte values, in key order. */
    static List<String> sums(List<Rec> recs) {
        TreeMap<byte[], Long> sums = new TreeMap<>(Arrays::compareUnsigned);
        for (Rec r : recs) sums.merge(r.key(), ByteBuffer.wrap(r.value()).getLong(), Long::sum);
        List<String> out = new ArrayList<>();
        sums.forEach((k, v) -> out.add(hex(k) + "=" + v));
        return out;
    }

    static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    @Property(tries = 80, seed = "1234567")
    void outputMatchesTheModelForAnyBufferAndRecordMix(
            @ForAll @IntRange(min = 64, max = 4096) int buffer,
            @ForAll @IntRange(max = 2500) int count,
            @ForAll @IntRange(min = 1, max = 7) int partitions,
            @ForAll boolean combine,
            @ForAll("fractions") double fraction,
            @ForAll @IntRange(max = 4) int minSpills,
            @ForAll @IntRange(max = 300) int bigEvery,
            @ForAll("factors") int factor,
            @ForAll long seed)
            throws IOException {
        Path tmp = Files.createTempDirectory("cairn-sort-test");
        try {
            List<Rec> recs = randomRecords(seed, count, partitions, combine, buffer, bigEvery);
            SumCombiner combiner = combine ? new SumCombiner() : null;
            MapOutputFile out;
            int runs;
            try (MapOutputBuffer b =
                    new MapOutputBuffer(buffer, fraction, partitions, combiner, minSpills, tmp, "attempt_1")) {
                b.mergeFactor(factor);
                for (Rec r : recs) b.collect(r.partition(), r.key(), 0, r.key().length, r.value(), 0, r.value().length);
                assertThat(b.recordsCollected()).isEqualTo(count);
                out = b.finish();
                runs = b.spillCount();
                assertThat(runs > 0).isEqualTo(count > 0);
                assertThat(b.bytesSpilled() > 0).isEqualTo(count > 0);
            }
            assertThat(out.dataFile()).isEqualTo(MapOutputFile.dataPath(tmp, "attempt_1"));
            assertThat(MapOutputFile.read(MapOutputFile.indexPath(tmp, "attempt_1")))
                    .isEqualTo(out);
            assertThat(filesIn(tmp)).containsExactly("attempt_1.index", "attempt_1.out");
            assertMatchesModel(recs, partitions, combiner, combine && (runs <= 1 || runs >= minSpills), out);
        } finally {
            deleteTree(tmp);
        }
    }

    @Property(tries = 60, seed = "8080")
    void keysThatTieOnTheirPrefixSortExactly(
            @ForAll @IntRange(min = 1, max = 1500) int count,
            @ForAll boolean combine,
            @ForAll @IntRange(min = 128, max = 2048) int buffer,
            @ForAll long seed)
            throws IOException {
        // Keys over {00, 01, ff} of 0 to 20 bytes: many share a zero-padded 8-byte prefix, or
        // their first 16 bytes, and differ only in length or in a late byte.
        Random r = new Random(seed);
        byte[] alphabet = {0, 1, (byte) 0xFF};
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[r.nextInt(21)];
            for (int j = 0; j < k.length; j++) k[j] = alphabet[r.nextInt(j < 6 || r.nextInt(4) == 0 ? 3 : 1)];
            recs.add(new Rec(r.nextInt(2), k, longBytes(r.nextInt(100))));
        }
        Path tmp = Files.createTempDirectory("cairn-sort-ties");
        try {
            SumCombiner combiner = combine ? new SumCombiner() : null;
            MapOutputFile out;
            int runs;
            try (MapOutputBuffer b = new MapOutputBuffer(buffer, 0.8, 2, combiner, 1, tmp, "ties")) {
                for (Rec rec : recs) b.collect(rec.partition(), rec.key(), 0, rec.key().length, rec.value(), 0, 8);
                out = b.finish();
                runs = b.spillCount();
            }
            assertMatchesModel(recs, 2, combiner, combine, out);
            assertThat(runs).isPositive();
        } finally {
            deleteTree(tmp);
        }
    }

    @Test
    void manyRunsAreMergedInPassesOfTheMergeFactor() throws Exception {
        List<Rec> recs = randomRecords(99, 3000, 3, true, 512, 0);
        SumCombiner c = new SumCombiner();
        MapOutputFile out;
        try (MapOutputBuffer b = new MapOutputBuffer(512, 0.8, 3, c, 3, dir, "passes")) {
            b.mergeFactor(4);
            for (Rec r : recs) b.collect(r.partition(), r.key(), 0, r.key().length, r.value(), 0, 8);
            out = b.finish();
            assertThat(b.spillCount()).isGreaterThan(16);
        }
        // Intermediate passes do not combine, the last one does: every key once, sums intact.
        assertMatchesModel(recs, 3, c, true, out);
        assertThat(filesIn(dir)).containsExactly("passes.index", "passes.out");
    }

    @Test
    void prefixAndTagOrderLikeTheKeys() {
        assertThat(MapOutputBuffer.prefix(new byte[0], 0, 0)).isZero();
        assertThat(MapOutputBuffer.prefix(new byte[] {9, 1, 2}, 1, 2)).isEqualTo(0x0102L << 48);
        assertThat(MapOutputBuffer.prefix(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 9))
                .isEqualTo(0x0102030405060708L);
        assertThat(Long.compareUnsigned(
                        MapOutputBuffer.prefix(new byte[] {(byte) 0xFF}, 0, 1),
                        MapOutputBuffer.prefix(new byte[] {1}, 0, 1)))
                .isPositive();
        assertThat(MapOutputBuffer.tag(MapOutputBuffer.MAX_PARTITIONS - 1, 1000) >>> 8)
                .isEqualTo(MapOutputBuffer.MAX_PARTITIONS - 1);
        assertThat(MapOutputBuffer.tag(3, 5) & 0xFF).isEqualTo(5);
        assertThat(MapOutputBuffer.tag(3, 1000) & 0xFF).isEqualTo(9);
    }

    @Provide
    Arbitrary<Integer> factors() {
        return Arbitraries.of(2, 7, MapOutputBuffer.DEFAULT_MERGE_FACTOR);
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.of(0.05, 0.5, 0.8, 1.0);
    }

    @ParameterizedTest(name = "buffer {0} bytes, {1} records, {2} partitions, combine {3}")
    @CsvSource({
        "256, 500, 1, false",
        "512, 3000, 3, false",
        "1024, 5000, 4, true",
        "4096, 20000, 7, true",
        "300, 2000, 2, true",
        "65536, 1000, 5, false",
    })
    void tinyBuffersSpillOftenAndWrapRecords(int buffer, int count, int partitions, boolean combine) throws Exception {
        List<Rec> recs = randomRecords(buffer * 31L + count, count, partitions, combine, buffer, 0);
        SumCombiner combiner = combine ? new SumCombiner() : null;
        MapOutputFile out;
        // Default minSpillsForCombine 3: with this many runs the final merge combines.
        try (MapOutputBuffer b = new MapOutputBuffer(buffer, partitions, combiner, dir, "attempt")) {
            for (Rec r : recs) b.collect(r.partition(), r.key(), 0, r.key().length, r.value(), 0, r.value().length);
            out = b.finish();
            if (buffer < 10_000) {
                assertThat(b.spillCount()).as("a tiny buffer spills many runs").isGreaterThan(10);
                assertThat(b.wraps()).as("records wrapped around the ring").isPositive();
            } else {
                assertThat(b.spillCount()).isEqualTo(1);
            }
        }
        assertMatchesModel(recs, partitions, combiner, combine, out);
        assertThat(filesIn(dir)).containsExactly("attempt.index", "attempt.out");
    }

    @Test
    void recordsLargerThanTheBufferBecomeRunsOfTheirOwn() throws Exception {
        byte[] big = new byte[5000];
        Arrays.fill(big, (byte) 'm');
        byte[] v = longBytes(1);
        try (MapOutputBuffer b = new MapOutputBuffer(512, 2, null, dir, "a")) {
            b.collect(0, new byte[] {'z'}, 0, 1, v, 0, 8);
            b.collect(1, big, 0, big.length, v, 0, 8);
            b.collect(0, new byte[] {'a'}, 0, 1, big, 0, big.length);
            b.collect(0, new byte[] {'b'}, 0, 1, v, 0, 8);
            assertThat(b.spillCount()).as("the two large records so far").isEqualTo(2);
            MapOutputFile out = b.finish();
            assertThat(b.spillCount()).isEqualTo(3);
            List<List<Rec>> parts = readAll(out);
            assertThat(parts.get(0).stream().map(r -> new String(r.key()) + "=" + r.value().length))
                    .containsExactly("a=5000", "b=8", "z=8");
            assertThat(parts.get(1))
                    .singleElement()
                    .satisfies(r -> assertThat(r.key()).isEqualTo(big));
        }
    }

    @Test
    void noRecordsGiveAnEmptyFileWithEmptySegments() throws Exception {
        try (MapOutputBuffer b = new MapOutputBuffer(1024, 3, new SumCombiner(), dir, "empty")) {
            MapOutputFile out = b.finish();
            assertThat(out.segments())
                    .hasSize(3)
                    .allSatisfy(s -> assertThat(s).isEqualTo(new MapOutputFile.Segment(0, 0, 0, 0)));
            assertThat(Files.size(out.dataFile())).isZero();
            assertThat(b.spillCount()).isZero();
        }
        assertThat(filesIn(dir)).containsExactly("empty.index", "empty.out");
    }

    @Test
    void emptyPartitionsBetweenFullOnesHaveEmptySegments() throws Exception {
        try (MapOutputBuffer b = new MapOutputBuffer(256, 5, null, dir, "gaps")) {
            for (int i = 0; i < 200; i++) b.collect(i % 2 == 0 ? 1 : 4, new byte[] {(byte) i}, 0, 1, new byte[0], 0, 0);
            MapOutputFile out = b.finish();
            assertThat(b.spillCount()).isGreaterThan(2);
            assertThat(out.segments())
                    .extracting(MapOutputFile.Segment::records)
                    .containsExactly(0L, 100L, 0L, 0L, 100L);
            assertThat(out.segment(0).length()).isZero();
            assertThat(out.segment(2).offset())
                    .isEqualTo(out.segment(3).offset())
                    .isEqualTo(out.segment(4).offset());
            assertThat(readAll(out).get(4).stream().map(r -> r.key()[0] & 0xFF)).isSorted();
        }
    }

    @Test
    void aSingleRunIsRenamedNotMerged() throws Exception {
        // With minSpillsForCombine 1 a merge would run the combiner on every key; a rename does not.
        SumCombiner c = new SumCombiner();
        try (MapOutputBuffer b = new MapOutputBuffer(1 << 16, 0.8, 2, c, 1, dir, "one")) {
            for (int i = 0; i < 100; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, longBytes(i), 0, 8);
            assertThat(Thread.getAllStackTraces().keySet())
                    .as("no spill thread for output that fits in memory")
                    .noneMatch(t -> t.getName().equals("spill-one"));
            MapOutputFile out = b.finish();
            assertThat(b.spillCount()).isEqualTo(1);
            assertThat(c.starts.get()).isZero();
            assertThat(out.segment(0).records()).isEqualTo(50);
            assertThat(out.segment(1).records()).isEqualTo(50);
        }
        SumCombiner two = new SumCombiner();
        try (MapOutputBuffer b = new MapOutputBuffer(1 << 16, 0.8, 2, two, 1, dir, "two")) {
            for (int i = 0; i < 100; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, longBytes(i), 0, 8);
            b.spillNow();
            b.collect(0, new byte[] {0}, 0, 1, longBytes(5), 0, 8);
            List<List<Rec>> parts = readAll(b.finish());
            assertThat(two.starts.get()).as("merged with the combiner").isEqualTo(100);
            assertThat(ByteBuffer.wrap(parts.get(0).getFirst().value()).getLong())
                    .isEqualTo(5);
        }
        assertThat(filesIn(dir)).containsExactly("one.index", "one.out", "two.index", "two.out");
    }

    @ParameterizedTest(name = "{0} runs, combine from {1}")
    @CsvSource({"2, 3", "3, 3", "4, 3", "1, 2", "2, 2", "5, 0"})
    void theFinalMergeCombinesOnlyFromMinSpillsRuns(int runs, int minSpills) throws Exception {
        byte[] v = longBytes(1);
        SumCombiner c = new SumCombiner();
        try (MapOutputBuffer b = new MapOutputBuffer(1 << 16, 0.8, 1, c, minSpills, dir, "r")) {
            for (int r = 0; r < runs; r++) {
                b.collect(0, new byte[] {7}, 0, 1, v, 0, 8);
                b.collect(0, new byte[] {8}, 0, 1, v, 0, 8);
                b.spillNow();
            }
            assertThat(b.spillCount()).isEqualTo(runs);
            List<String> out = readAll(b.finish()).getFirst().stream()
                    .map(r -> r.key()[0] + "=" + ByteBuffer.wrap(r.value()).getLong())
                    .toList();
            if (runs == 1 || runs >= minSpills) assertThat(out).containsExactly("7=" + runs, "8=" + runs);
            else
                assertThat(out)
                        .containsExactly(Stream.of("7=1", "8=1")
                                .flatMap(s -> Stream.generate(() -> s).limit(runs))
                                .sorted()
                                .toArray(String[]::new));
        }
    }

    @Test
    void aCombinerThrowingInASpillFailsCollectOrFinishAndCloseLeavesNoFiles() throws Exception {
        RawCombiner bad = new SumCombiner() {
            @Override
            public void add(byte[] buf, int off, int len) {
                throw new IllegalStateException("combiner exploded");
            }
        };
        MapOutputBuffer b = new MapOutputBuffer(256, 1, bad, dir, "bad");
        byte[] v = new byte[8];
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 1000; i++) b.collect(0, new byte[] {1}, 0, 1, v, 0, 8);
                    b.finish();
                })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bad")
                .hasRootCauseMessage("combiner exploded")
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.collect(0, new byte[] {1}, 0, 1, v, 0, 8))
                .as("the failure sticks")
                .isInstanceOf(IOException.class)
                .hasRootCauseMessage("combiner exploded");
        assertThatThrownBy(b::finish).isInstanceOf(IOException.class).hasRootCauseMessage("combiner exploded");
        b.close();
        b.close();
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aCombinerThrowingInTheFinalMergeFailsFinishAndCloseLeavesNoFiles() throws Exception {
        RawCombiner failsOnTaskThread = new SumCombiner() {
            @Override
            public void start(byte[] buf, int off, int len) throws Exception {
                if (!Thread.currentThread().getName().startsWith("spill-"))
                    throw new java.util.zip.DataFormatException("bad value");
                super.start(buf, off, len);
            }
        };
        MapOutputBuffer b = new MapOutputBuffer(4096, 1, failsOnTaskThread, dir, "merge");
        for (int r = 0; r < 3; r++) {
            b.collect(0, new byte[] {(byte) r}, 0, 1, longBytes(r), 0, 8);
            b.spillNow();
        }
        assertThat(filesIn(dir)).hasSize(3);
        assertThatThrownBy(b::finish)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("final merge")
                .hasRootCauseInstanceOf(java.util.zip.DataFormatException.class);
        b.close();
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aFailingDiskSurfacesFromCollectOrFinish() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("gone"));
        MapOutputBuffer b = new MapOutputBuffer(256, 2, null, sub, "disk");
        Files.delete(sub);
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 1000; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, new byte[8], 0, 8);
                    b.finish();
                })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("disk")
                .hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
        b.close();
    }

    @Test
    void closeWithoutFinishDeletesEverything() throws Exception {
        MapOutputBuffer b = new MapOutputBuffer(256, 2, null, dir, "aborted");
        for (int i = 0; i < 500; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, new byte[8], 0, 8);
        b.collect(0, new byte[300], 0, 300, new byte[0], 0, 0);
        assertThat(filesIn(dir)).isNotEmpty();
        b.close();
        assertThat(filesIn(dir)).isEmpty();
        assertThatThrownBy(() -> b.collect(0, new byte[1], 0, 1, new byte[1], 0, 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(b::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeAfterFinishKeepsTheOutput() throws Exception {
        MapOutputBuffer b = new MapOutputBuffer(256, 2, null, dir, "kept");
        for (int i = 0; i < 500; i++) b.collect(i % 2, new byte[] {(byte) i}, 0, 1, new byte[8], 0, 8);
        MapOutputFile out = b.finish();
        assertThatThrownBy(b::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.collect(0, new byte[1], 0, 1, new byte[1], 0, 1))
                .isInstanceOf(IllegalStateException.class);
        b.close();
        assertThat(filesIn(dir)).containsExactly("kept.index", "kept.out");
        assertThat(out.totalRecords()).isEqualTo(500);
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        assertThatThrownBy(() -> new MapOutputBuffer(63, 1, null, dir, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MapOutputBuffer(1024, 0, null, dir, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MapOutputBuffer(1024, 0.0, 1, null, 3, dir, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        try (MapOutputBuffer b = new MapOutputBuffer(1024, 2, null, dir, "x")) {
            assertThatThrownBy(() -> b.collect(2, new byte[1], 0, 1, new byte[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.collect(-1, new byte[1], 0, 1, new byte[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.collect(0, new byte[1], 1, 1, new byte[1], 0, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void aFlippedByteInTheOutputFailsItsChecksum() throws Exception {
        MapOutputFile out;
        try (MapOutputBuffer b = new MapOutputBuffer(512, 3, null, dir, "crc")) {
            for (int i = 0; i < 300; i++) b.collect(i % 3, longBytes(i * 7919L), 0, 8, longBytes(i), 0, 8);
            out = b.finish();
        }
        MapOutputFile.Segment s = out.segment(1);
        // The segment's last byte belongs to a value, so only the checksum can notice.
        try (FileChannel ch = FileChannel.open(out.dataFile(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, s.offset() + s.length() - 1);
            one.put(0, (byte) (one.get(0) ^ 0x40));
            ch.write(one.rewind(), s.offset() + s.length() - 1);
        }
        InputStream in = Files.newInputStream(out.dataFile());
        in.skipNBytes(s.offset());
        try (SegmentReader r = SegmentReader.of(in, s.length(), "crc.out partition 1", s.crc32c())) {
            assertThatThrownBy(() -> {
                        while (r.next()) {
                            // drain
                        }
                    })
                    .isInstanceOf(ChecksumException.class)
                    .hasMessageContaining("crc.out partition 1");
        }
        // The other partitions are intact.
        MapOutputFile.Segment s0 = out.segment(0);
        byte[] data = Files.readAllBytes(out.dataFile());
        try (SegmentReader r = SegmentReader.of(data, (int) s0.offset(), (int) s0.length(), "p0", s0.crc32c())) {
            int n = 0;
            while (r.next()) n++;
            assertThat(n).isEqualTo(100);
        }
    }

    @Test
    void aTruncatedOutputIsDetected() throws Exception {
        MapOutputFile out;
        try (MapOutputBuffer b = new MapOutputBuffer(512, 2, null, dir, "cut")) {
            for (int i = 0; i < 300; i++) b.collect(i % 2, longBytes(i), 0, 8, longBytes(i), 0, 8);
            out = b.finish();
        }
        try (FileChannel ch = FileChannel.open(out.dataFile(), StandardOpenOption.WRITE)) {
            ch.truncate(out.totalLength() - 5);
        }
        MapOutputFile.Segment s = out.segment(1);
        InputStream in = Files.newInputStream(out.dataFile());
        in.skipNBytes(s.offset());
        try (SegmentReader r = SegmentReader.of(in, s.length(), "cut.out partition 1", s.crc32c())) {
            assertThatThrownBy(() -> {
                        while (r.next()) {
                            // drain
                        }
                    })
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated")
                    .hasMessageContaining("cut.out partition 1");
        }
    }
}
