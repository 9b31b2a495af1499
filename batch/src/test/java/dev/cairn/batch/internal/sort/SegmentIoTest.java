package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SegmentIoTest {
    record Rec(byte[] key, byte[] value) {
        @Override
        public String toString() {
            return Arrays.toString(key) + "=" + Arrays.toString(value);
        }
    }

    static List<Rec> randomRecords(Random r, int count, int maxLen) {
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[r.nextInt(maxLen + 1)];
            byte[] v = new byte[r.nextInt(maxLen + 1)];
            r.nextBytes(k);
            r.nextBytes(v);
            recs.add(new Rec(k, v));
        }
        return recs;
    }

    /** Writes the records as one segment; returns its bytes. */
    static byte[] encode(List<Rec> recs, int writerBuffer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(bytes, writerBuffer);
        for (Rec r : recs) w.append(r.key(), 0, r.key().length, r.value(), 0, r.value().length);
        MapOutputFile.Segment s = w.endSegment();
        w.flush();
        assertThat(s.length()).isEqualTo(bytes.size());
        assertThat(s.records()).isEqualTo(recs.size());
        assertThat(s.crc32c()).isEqualTo(crc(bytes.toByteArray()));
        return bytes.toByteArray();
    }

    static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    static List<Rec> readAll(RawRecordIterator it) throws IOException {
        List<Rec> out = new ArrayList<>();
        try (it) {
            while (it.next()) {
                out.add(new Rec(
                        Arrays.copyOfRange(it.keyArray(), it.keyOffset(), it.keyOffset() + it.keyLength()),
                        Arrays.copyOfRange(it.valueArray(), it.valueOffset(), it.valueOffset() + it.valueLength())));
            }
        }
        return out;
    }

    /** Hands out at most {@code chunk} bytes per read, like a socket. */
    static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    @Property(tries = 200, seed = "424242")
    void whatIsWrittenReadsBackFromArraysAndStreams(
            @ForAll @IntRange(max = 60) int count,
            @ForAll @IntRange(max = 300) int maxLen,
            @ForAll @IntRange(min = 1, max = 200) int readerBuffer,
            @ForAll @IntRange(min = 1, max = 500) int writerBuffer,
            @ForAll @IntRange(min = 1, max = 50) int chunk,
            @ForAll long seed)
            throws IOException {
        List<Rec> recs = randomRecords(new Random(seed), count, maxLen);
        byte[] data = encode(recs, writerBuffer);
        int crc = crc(data);
        List<String> want = recs.stream().map(Rec::toString).toList();

        byte[] padded = new byte[data.length + 7];
        System.arraycopy(data, 0, padded, 3, data.length);
        assertThat(readAll(SegmentReader.of(padded, 3, data.length, "array")).stream()
                        .map(Rec::toString))
                .containsExactlyElementsOf(want);
        assertThat(readAll(SegmentReader.of(padded, 3, data.length, "array", crc)).stream()
                        .map(Rec::toString))
                .containsExactlyElementsOf(want);
        assertThat(
                        readAll(SegmentReader.of(
                                        trickle(data, chunk), data.length, "stream", crc, new byte[readerBuffer]))
                                .stream()
                                .map(Rec::toString))
                .containsExactlyElementsOf(want);
        assertThat(readAll(SegmentReader.of(new ByteArrayInputStream(data), data.length, "stream")).stream()
                        .map(Rec::toString))
                .containsExactlyElementsOf(want);
    }

    @Test
    void segmentsAreAccountedOneAfterAnother() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SegmentWriter w = new SegmentWriter(bytes, 64);
        byte[] big = new byte[1000];
        new Random(1).nextBytes(big);
        w.append(new byte[] {1}, 0, 1, new byte[] {2}, 0, 1);
        MapOutputFile.Segment a = w.endSegment();
        MapOutputFile.Segment empty = w.endSegment();
        w.append(big, 0, big.length, big, 10, 300);
        w.append(new byte[] {3}, 0, 1, new byte[0], 0, 0);
        MapOutputFile.Segment c = w.endSegment();
        w.flush();
        byte[] data = bytes.toByteArray();
        assertThat(a).isEqualTo(new MapOutputFile.Segment(0, 4, 1, crc(Arrays.copyOf(data, 4))));
        assertThat(empty).isEqualTo(new MapOutputFile.Segment(4, 0, 0, 0));
        assertThat(c.offset()).isEqualTo(4);
        assertThat(c.offset() + c.length()).isEqualTo(data.length).isEqualTo(w.position());
        assertThat(c.crc32c()).isEqualTo(crc(Arrays.copyOfRange(data, 4, data.length)));
        List<Rec> got = readAll(
                SegmentReader.of(new ByteArrayInputStream(data, 4, data.length - 4), c.length(), "c", c.crc32c()));
        assertThat(got).hasSize(2);
        assertThat(got.get(0).key()).isEqualTo(big);
        assertThat(got.get(0).value()).isEqualTo(Arrays.copyOfRange(big, 10, 310));
    }

    @Test
    void varintSizesMatchWhatIsWritten() {
        byte[] b = new byte[5];
        for (int v : new int[] {
            0, 1, 127, 128, 16383, 16384, (1 << 21) - 1, 1 << 21, (1 << 28) - 1, 1 << 28, Integer.MAX_VALUE
        }) {
            assertThat(SegmentWriter.putVarint(b, 0, v)).as("size of %d", v).isEqualTo(SegmentWriter.varintSize(v));
        }
    }

    @Test
    void aFlippedByteFailsTheChecksumNamingTheSource() throws IOException {
        List<Rec> recs = randomRecords(new Random(7), 50, 40);
        byte[] data = encode(recs, 1 << 16);
        int crc = crc(data);
        data[data.length / 2] ^= 0x10;
        // A slice is checked before any record is handed out.
        SegmentReader inMemory = SegmentReader.of(data, 0, data.length, "map-3 from host:1", crc);
        assertThatThrownBy(inMemory::next)
                .isInstanceOf(ChecksumException.class)
                .hasMessageContaining("map-3 from host:1");
        assertThatThrownBy(inMemory::next).as("the failure repeats").isInstanceOf(ChecksumException.class);
        // A stream is checked when its end is reached (a corrupted length may fail earlier).
        SegmentReader streamed = SegmentReader.of(new ByteArrayInputStream(data), data.length, "spill 2", crc);
        assertThatThrownBy(() -> readAll(streamed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("spill 2");
        // Without an expected CRC nothing is checked.
        byte[] clean = encode(recs, 1 << 16);
        clean[clean.length - 1] ^= 0x01;
        assertThat(readAll(SegmentReader.of(clean, 0, clean.length, "unchecked")))
                .hasSize(50);
        SegmentReader valueFlip = SegmentReader.of(
                new ByteArrayInputStream(clean), clean.length, "last byte", crc(encode(recs, 1 << 16)));
        assertThatThrownBy(() -> readAll(valueFlip))
                .isInstanceOf(ChecksumException.class)
                .hasMessageContaining("last byte")
                .extracting(e -> ((ChecksumException) e).source())
                .isEqualTo("last byte");
    }

    @Test
    void truncationIsReportedWithTheSource() throws IOException {
        byte[] data = encode(
                List.of(new Rec(new byte[] {1, 2, 3}, new byte[] {4, 5}), new Rec(new byte[] {6}, new byte[] {7})), 64);
        // A slice that ends inside a record.
        SegmentReader cut = SegmentReader.of(data, 0, data.length - 1, "map-00001_1 from 127.0.0.1:1");
        assertThat(cut.next()).isTrue();
        assertThatThrownBy(cut::next)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("map-00001_1 from 127.0.0.1:1")
                .hasMessageContaining("truncated");
        // A slice that ends inside a header.
        SegmentReader header = SegmentReader.of(data, 0, 1, "h");
        assertThatThrownBy(header::next).isInstanceOf(IOException.class).hasMessageContaining("truncated");
        // A stream shorter than its declared length.
        SegmentReader shortStream = SegmentReader.of(new ByteArrayInputStream(data), data.length + 5, "x");
        assertThatThrownBy(() -> readAll(shortStream))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("x")
                .hasMessageContaining("truncated")
                .hasMessageContaining("of " + (data.length + 5));
        SegmentReader midRecord = SegmentReader.of(new ByteArrayInputStream(data, 0, 4), data.length, "y", crc(data));
        assertThatThrownBy(() -> readAll(midRecord))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void corruptLengthsFailWithoutHugeAllocations() {
        byte[] tooLong = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0};
        assertThatThrownBy(
                        () -> SegmentReader.of(tooLong, 0, tooLong.length, "c").next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt");
        byte[] pastEnd = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F, 0, 1, 2};
        assertThatThrownBy(() -> SegmentReader.of(new ByteArrayInputStream(pastEnd), pastEnd.length, "d")
                        .next())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void emptySegmentsHaveNoRecordsAndChecksumZero() throws IOException {
        assertThat(readAll(SegmentReader.of(new byte[0], 0, 0, "e", 0))).isEmpty();
        assertThat(readAll(SegmentReader.of(new ByteArrayInputStream(new byte[0]), 0, "e", 0)))
                .isEmpty();
        assertThatThrownBy(() -> SegmentReader.of(new byte[0], 0, 0, "e", 1).next())
                .isInstanceOf(ChecksumException.class);
    }

    @Test
    void closingClosesTheStreamOnce() throws IOException {
        int[] closes = {0};
        InputStream in = new ByteArrayInputStream(new byte[0]) {
            @Override
            public void close() {
                closes[0]++;
            }
        };
        SegmentReader r = SegmentReader.of(in, 0, "s");
        r.close();
        r.close();
        assertThat(closes[0]).isEqualTo(1);
        assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class);
    }
}
