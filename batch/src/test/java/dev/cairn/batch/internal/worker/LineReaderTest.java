package dev.cairn.batch.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.testing.TestingFileSystem;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.LocalFileSystem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class LineReaderTest {

    /** However a local file is cut into splits, the splits' readers together see every line exactly once, in order. */
    @Property(tries = 150)
    void splitsOfALocalFileSeeEveryLineExactlyOnce(
            @ForAll @LongRange(min = 0, max = 1000) long seed,
            @ForAll @IntRange(min = 1, max = 400) int splitSize,
            @ForAll @IntRange(min = 0, max = 60) int lineCount)
            throws IOException {
        check(seed, splitSize, lineCount, false, 0);
    }

    /**
     * The same on a store-like file system, whose reads stop at block boundaries and whose readers
     * count every byte as local (blocks on their node) or remote.
     */
    @Property(tries = 150)
    void splitsOfAStoreFileSeeEveryLineExactlyOnce(
            @ForAll @LongRange(min = 0, max = 1000) long seed,
            @ForAll @IntRange(min = 1, max = 400) int splitSize,
            @ForAll @IntRange(min = 0, max = 60) int lineCount,
            @ForAll @IntRange(min = 50, max = 5000) int blockSize)
            throws IOException {
        check(seed, splitSize, lineCount, true, blockSize);
    }

    private static void check(long seed, int splitSize, int lineCount, boolean storeLike, int blockSize)
            throws IOException {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < lineCount; i++) {
            int len = random.nextInt(4) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 10 : 3000);
            StringBuilder l = new StringBuilder();
            for (int k = 0; k < len; k++) l.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(10) == 0) l.append("é✓");
            lines.add(l.toString());
            content.append(l).append(random.nextInt(8) == 0 ? "\r\n" : "\n");
        }
        boolean noFinalNewline =
                lineCount > 0 && random.nextBoolean() && !lines.getLast().isEmpty();
        if (noFinalNewline)
            content.setLength(content.length() - (content.charAt(content.length() - 2) == '\r' ? 2 : 1));
        byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);

        FileSystem fs;
        String file;
        Path local = null;
        if (storeLike) {
            TestingFileSystem mem = TestingFileSystem.create(blockSize, i -> List.of("n" + i % 2));
            try (OutputStream out = mem.create("mem:///lines.txt")) {
                out.write(bytes);
            }
            fs = mem.on("n0");
            file = "mem:///lines.txt";
        } else {
            local = Files.createTempFile("lines", ".txt");
            Files.write(local, bytes);
            fs = LocalFileSystem.INSTANCE;
            file = local.toString();
        }
        try {
            List<String> seen = new ArrayList<>();
            // Views of each line's bytes, decoded only once every split is read: a buffer a view
            // looks into must never be read into again.
            List<byte[]> arrays = new ArrayList<>();
            List<int[]> views = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            long counted = 0;
            for (long start = 0; start < bytes.length; start += splitSize) {
                try (LineReader r = new LineReader(fs, file, start, Math.min(splitSize, bytes.length - start))) {
                    while (r.next()) {
                        arrays.add(r.lineArray());
                        views.add(new int[] {r.lineStart(), r.lineLength()});
                        if (random.nextBoolean()) seen.add(r.line());
                        else seen.add(null);
                        offsets.add(r.offset());
                    }
                    r.close();
                    long read = r.localBytes() + r.remoteBytes();
                    assertThat(read)
                            .as("input counted for the split at %d", start)
                            .isEqualTo(r.consumedBytes());
                    counted += read;
                    if (storeLike)
                        assertThat(r.localBytes())
                                .as("only blocks on n0 are local")
                                .isLessThanOrEqualTo(expectedLocalAtMost(bytes.length, blockSize));
                    else assertThat(r.remoteBytes()).isZero();
                }
            }
            for (int i = 0; i < seen.size(); i++) {
                String fromBytes = new String(arrays.get(i), views.get(i)[0], views.get(i)[1], StandardCharsets.UTF_8);
                if (seen.get(i) != null) assertThat(fromBytes).isEqualTo(seen.get(i));
                seen.set(i, fromBytes);
            }
            assertThat(seen).isEqualTo(lines);
            assertThat(counted)
                    .as("input counted over all splits: the file, once")
                    .isEqualTo(bytes.length);
            long expectedOffset = 0;
            for (int i = 0; i < lines.size(); i++) {
                assertThat(offsets.get(i)).isEqualTo(expectedOffset);
                expectedOffset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
                if (expectedOffset - 1 < bytes.length && bytes[(int) expectedOffset - 1] == '\r') expectedOffset++;
            }
        } finally {
            if (local != null) Files.delete(local);
        }
    }

    private static long expectedLocalAtMost(long length, int blockSize) {
        long local = 0;
        for (long off = 0, i = 0; off < length; off += blockSize, i++)
            if (i % 2 == 0) local += Math.min(blockSize, length - off);
        return local;
    }

    /** A reader asks for its split, the byte before it, and the rest of its last line: not the whole file. */
    @Property(tries = 50)
    void aReaderFetchesLittleMoreThanItsSplit(@ForAll @LongRange(min = 0, max = 1000) long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder content = new StringBuilder();
        while (content.length() < 2_000_000)
            content.append("w".repeat(1 + random.nextInt(80))).append('\n');
        byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);
        TestingFileSystem fs = TestingFileSystem.create(256 << 10, i -> List.of("n0"));
        try (OutputStream out = fs.create("mem:///f")) {
            out.write(bytes);
        }
        long start = random.nextInt(bytes.length / 2);
        long length = 1 + random.nextInt(300_000);
        long before = fs.bytesServed();
        try (LineReader r = new LineReader(fs.on("n0"), "mem:///f", start, length)) {
            while (r.next()) {
                assertThat(r.line()).isNotNull();
            }
        }
        assertThat(fs.bytesServed() - before).isLessThanOrEqualTo(length + 1 + (64 << 10));
    }

    /** The newline search, eight bytes at a time, finds the first '\n' as a byte-by-byte search does. */
    @Property(tries = 300)
    void theNewlineSearchFindsTheFirstNewline(
            @ForAll @LongRange(min = 0, max = 100_000) long seed, @ForAll @IntRange(min = 0, max = 70) int length) {
        Random random = new Random(seed);
        byte[] b = new byte[length + 16];
        // Bytes near '\n' (0x09, 0x0B, 0x8A) and any other, where a borrow could fool a wrong search.
        byte[] alphabet = {'\n', 0x09, 0x0B, (byte) 0x8A, 0, (byte) 0xFF, 'a'};
        for (int i = 0; i < b.length; i++)
            b[i] = random.nextInt(3) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
        int from = random.nextInt(8);
        int to = from + length;
        int expected = -1;
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                expected = i;
                break;
            }
        }
        assertThat(LineReader.indexOfNewline(b, from, to)).isEqualTo(expected);
    }

    /**
     * A reader re-split while it reads (it stops short at a point it accepts, and another reader
     * takes the rest from there, and may be split again) and the readers of the rest see every
     * line exactly once, in order; a split point it has passed is refused.
     */
    @Property(tries = 200)
    void aReaderSplitWhileItReadsAndTheRestsReadersSeeEveryLineOnce(
            @ForAll @LongRange(min = 0, max = 1000) long seed, @ForAll @IntRange(min = 0, max = 80) int lineCount)
            throws IOException {
        Random random = new Random(seed);
        StringBuilder content = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < lineCount; i++) {
            String l = "line-" + i + "-" + "x".repeat(random.nextInt(random.nextBoolean() ? 5 : 300));
            lines.add(l);
            content.append(l).append('\n');
        }
        Path file = Files.createTempFile("resplit", ".txt");
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            long size = Files.size(file);
            FileSystem fs = LocalFileSystem.INSTANCE;
            List<String> seen = new ArrayList<>();
            long start = 0;
            long end = size;
            while (true) {
                try (LineReader r = new LineReader(fs, file.toString(), start, end - start)) {
                    long splitAt = -1;
                    while (true) {
                        if (splitAt < 0 && random.nextInt(4) == 0) {
                            long at = r.position() + random.nextLong(-5, Math.max(1, end - r.position()) + 5);
                            boolean inside = at >= r.position() && at < r.end();
                            assertThat(r.trySplit(at))
                                    .as("split at %d, position %d", at, r.position())
                                    .isEqualTo(inside);
                            if (inside) splitAt = at;
                        }
                        if (!r.next()) break;
                        seen.add(r.line());
                    }
                    if (splitAt < 0) break;
                    start = splitAt;
                }
            }
            assertThat(seen).isEqualTo(lines);
        } finally {
            Files.delete(file);
        }
    }
}
