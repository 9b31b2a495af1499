package dev.cairn.batch.internal.sort;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A finished map output: one data file holding one sorted segment per partition, in partition
 * order and back to back (format: {@link SegmentWriter}), and the index that locates them.
 *
 * <p>Index file ({@code <prefix>.index}, beside {@code <prefix>.out}), big-endian: int magic
 * {@code 0xCA1B0001}, int partition count, then per partition long offset, long length, long
 * record count, int CRC32C of the segment's bytes, and finally an int CRC32C of everything before
 * it. A server serves partition p by reading the index, then {@code segment(p).length()} bytes of
 * the data file from {@code segment(p).offset()}.
 */
public record MapOutputFile(Path dataFile, List<Segment> segments) {
    private static final int MAGIC = 0xCA1B0001;
    private static final int HEADER_BYTES = 8;
    private static final int ENTRY_BYTES = 28;

    /** One partition's segment in the data file; {@code crc32c} covers exactly its bytes (0 when empty). */
    public record Segment(long offset, long length, long records, int crc32c) {
        public Segment {
            if (offset < 0 || length < 0 || records < 0) {
                throw new IllegalArgumentException(
                        "bad segment: offset " + offset + ", length " + length + ", records " + records);
            }
        }
    }

    public MapOutputFile {
        segments = List.copyOf(segments);
    }

    /** {@code <dir>/<prefix>.out}. */
    public static Path dataPath(Path dir, String prefix) {
        return dir.resolve(prefix + ".out");
    }

    /** {@code <dir>/<prefix>.index}. */
    public static Path indexPath(Path dir, String prefix) {
        return dir.resolve(prefix + ".index");
    }

    public int partitions() {
        return segments.size();
    }

    public Segment segment(int partition) {
        return segments.get(partition);
    }

    /** Bytes of all segments, which is the data file's size. */
    public long totalLength() {
        long n = 0;
        for (Segment s : segments) n += s.length();
        return n;
    }

    public long totalRecords() {
        long n = 0;
        for (Segment s : segments) n += s.records();
        return n;
    }

    /**
     * Writes the index atomically (a temporary sibling, then a rename), so a reader never sees a
     * partial one. Nothing is fsynced: a map output lost with its machine is made again.
     */
    public void writeIndex(Path indexFile) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + ENTRY_BYTES * segments.size() + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(segments.size());
            for (Segment s : segments) {
                out.writeLong(s.offset());
                out.writeLong(s.length());
                out.writeLong(s.records());
                out.writeInt(s.crc32c());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        }
        Path tmp = indexFile.resolveSibling(indexFile.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, indexFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads an index written by {@link #writeIndex}; the data file is the index's sibling with
     * {@code .out} in place of {@code .index}.
     *
     * @throws IOException if the file is missing, is not an index, or fails its checksum
     */
    public static MapOutputFile read(Path indexFile) throws IOException {
        byte[] bytes = Files.readAllBytes(indexFile);
        if (bytes.length < HEADER_BYTES + 4) throw new IOException("not a map output index (too short): " + indexFile);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IOException("not a map output index (bad magic): " + indexFile);
            int n = in.readInt();
            if (n < 0 || bytes.length != HEADER_BYTES + (long) ENTRY_BYTES * n + 4) {
                throw new IOException("map output index has the wrong size for " + n + " partitions: " + indexFile);
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if (ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt() != (int) crc.getValue()) {
                throw new IOException("map output index is corrupt (checksum): " + indexFile);
            }
            Segment[] segs = new Segment[n];
            for (int i = 0; i < n; i++) {
                long offset = in.readLong(), length = in.readLong(), records = in.readLong();
                int c = in.readInt();
                if (offset < 0 || length < 0 || records < 0)
                    throw new IOException("map output index is corrupt (negative entry): " + indexFile);
                segs[i] = new Segment(offset, length, records, c);
            }
            String name = indexFile.getFileName().toString();
            String stem = name.endsWith(".index") ? name.substring(0, name.length() - ".index".length()) : name;
            return new MapOutputFile(indexFile.resolveSibling(stem + ".out"), List.of(segs));
        }
    }
}
