package dev.cairn.store.internal.namespace;

import dev.cairn.store.internal.disk.BlockId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the znode of a store path holds: a directory, or a closed file with its block list. The
 * encoding starts with a kind byte and a format version, so later versions can add fields.
 */
public sealed interface Inode {
    byte DIR = 'D';
    byte FILE = 'F';
    byte VERSION = 1;

    long mtimeMs();

    /** A directory; its entries are the znode's children. */
    record Dir(long mtimeMs) implements Inode {}

    /**
     * A closed file.
     *
     * @param blockSize   the size of every block but the last
     * @param replication the replica count the file asks for
     */
    record File(long length, long blockSize, int replication, long mtimeMs, List<BlockRef> blocks) implements Inode {
        public File {
            blocks = List.copyOf(blocks);
        }

        public File withBlocks(List<BlockRef> replaced) {
            return new File(length, blockSize, replication, mtimeMs, replaced);
        }
    }

    /** A block of a file: its id, length, and the store nodes that hold a replica as last known. */
    record BlockRef(BlockId id, long length, List<String> nodes) {
        public BlockRef {
            nodes = List.copyOf(nodes);
        }
    }

    default byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (this) {
                case Dir d -> {
                    out.writeByte(DIR);
                    out.writeByte(VERSION);
                    out.writeLong(d.mtimeMs());
                }
                case File f -> {
                    out.writeByte(FILE);
                    out.writeByte(VERSION);
                    out.writeLong(f.length());
                    out.writeLong(f.blockSize());
                    out.writeShort(f.replication());
                    out.writeLong(f.mtimeMs());
                    out.writeInt(f.blocks().size());
                    for (BlockRef b : f.blocks()) {
                        out.writeLong(b.id().value());
                        out.writeLong(b.length());
                        out.writeShort(b.nodes().size());
                        for (String n : b.nodes()) out.writeUTF(n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a znode's data.
     *
     * @throws IllegalArgumentException if the bytes are not an inode (naming {@code path})
     */
    static Inode decode(String path, byte[] data) {
        if (data == null || data.length < 2)
            throw new IllegalArgumentException("not a store entry (no inode data): " + path);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte kind = in.readByte();
            byte version = in.readByte();
            if (version != VERSION)
                throw new IllegalArgumentException(
                        "store entry " + path + " has format version " + version + ", this node reads " + VERSION);
            return switch (kind) {
                case DIR -> new Dir(in.readLong());
                case FILE -> {
                    long length = in.readLong();
                    long blockSize = in.readLong();
                    int replication = in.readShort();
                    long mtime = in.readLong();
                    int n = in.readInt();
                    if (n < 0 || n > data.length / 18)
                        throw new IllegalArgumentException("store entry " + path + " is corrupt: " + n + " blocks");
                    List<BlockRef> blocks = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        BlockId id = new BlockId(in.readLong());
                        long len = in.readLong();
                        int k = in.readShort();
                        List<String> nodes = new ArrayList<>(k);
                        for (int j = 0; j < k; j++) nodes.add(in.readUTF());
                        blocks.add(new BlockRef(id, len, nodes));
                    }
                    yield new File(length, blockSize, replication, mtime, blocks);
                }
                default -> throw new IllegalArgumentException("not a store entry (kind " + kind + "): " + path);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("store entry " + path + " is truncated", e);
        }
    }
}
