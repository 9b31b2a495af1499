package dev.cairn.batch.internal.sort;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A finished map output: one data file holding a sorted segment per partition, and its index.
 *
 * <p>Index file ({@code <attempt>.index}, beside {@code <attempt>.out}): int magic, int partition
 * count, then per partition long offset, long length, long records, int CRC32C of the segment,
 * and finally an int CRC32C of everything before it.
 */
public record MapOutputFile(Path dataFile, List<Segment> segments) {
    private static final int MAGIC = 0xCA1B0001;

    /** One partition's segment in the data file. */
    public record Segment(long offset, long length, long records, int crc32c) {}

    public MapOutputFile {
        segments = List.copyOf(segments);
    }

    public static Path dataPath(Path dir, String attempt) {
        return dir.resolve(attempt + ".out");
    }

    public static Path indexPath(Path dir, String attempt) {
        return dir.resolve(attempt + ".index");
    }

    public int partitions() {
        return segments.size();
    }

    public Segment segment(int partition) {
        return segments.get(partition);
    }

    public long totalLength() {
        return segments.stream().mapToLong(Segment::length).sum();
    }

    public long totalRecords() {
        return segments.stream().mapToLong(Segment::records).sum();
    }

    /** Writes the index next to the data file, atomically, and fsyncs neither: map outputs are re-made if lost. */
    public void writeIndex(Path indexFile) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
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
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, indexFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads an index written by {@link #writeIndex}; the data file is the index's sibling {@code .out}. */
    public static MapOutputFile read(Path indexFile) throws IOException {
        byte[] bytes = Files.readAllBytes(indexFile);
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (bytes.length < 12 || in.readInt() != MAGIC) throw new IOException("not a map output index: " + indexFile);
            int n = in.readInt();
            if (n < 0 || bytes.length != 12 + n * 28) throw new IOException("map output index has the wrong size: " + indexFile);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            Segment[] segs = new Segment[n];
            for (int i = 0; i < n; i++) segs[i] = new Segment(in.readLong(), in.readLong(), in.readLong(), in.readInt());
            if (in.readInt() != (int) crc.getValue()) throw new IOException("map output index is corrupt (checksum): " + indexFile);
            String name = indexFile.getFileName().toString();
            Path data = indexFile.resolveSibling(name.substring(0, name.length() - ".index".length()) + ".out");
            return new MapOutputFile(data, List.of(segs));
        }
    }
}
