package dev.cairn.store.internal.namespace;

import dev.cairn.store.FsPermission;
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
 * What the znode of a store path holds: a directory, or a closed file with its block list, each
 * with its owner, group and mode. The encoding starts with a kind byte and a format version, so
 * later versions can add fields: version 2 added the owner, group and mode after the other
 * fields; version 1 entries read as owned by {@value #LEGACY_OWNER} with the default modes.
 */
public sealed interface Inode {
    byte DIR = 'D';
    byte FILE = 'F';
    byte VERSION = 2;
    /** Owner and group of entries written before owners were recorded (format version 1). */
    String LEGACY_OWNER = "cairn";

    long mtimeMs();

    Access access();

    /** The same entry with another owner, group or mode. */
    Inode withAccess(Access replaced);

    /**
     * Who owns an entry and what its mode bits grant.
     *
     * @param owner a user name
     * @param group a group name
     */
    record Access(String owner, String group, FsPermission permission) {
        public Access {
            if (owner.isEmpty() || group.isEmpty())
                throw new IllegalArgumentException("an owner and a group need names");
        }

        static Access legacy(boolean directory) {
            return new Access(LEGACY_OWNER, LEGACY_OWNER, new FsPermission(directory ? 0755 : 0644));
        }
    }

    /** A directory; its entries are the znode's children. */
    record Dir(long mtimeMs, Access access) implements Inode {
        /** A directory as version 1 recorded it, with the legacy owner and mode. */
        public Dir(long mtimeMs) {
            this(mtimeMs, Access.legacy(true));
        }

        @Override
        public Dir withAccess(Access replaced) {
            return new Dir(mtimeMs, replaced);
        }
    }

    /**
     * A closed file.
     *
     * @param blockSize   the size of every block but the last
     * @param replication the replica count the file asks for
     */
    record File(long length, long blockSize, int replication, long mtimeMs, List<BlockRef> blocks, Access access)
            implements Inode {
        public File {
            blocks = List.copyOf(blocks);
        }

        /** A file as version 1 recorded it, with the legacy owner and mode. */
        public File(long length, long blockSize, int replication, long mtimeMs, List<BlockRef> blocks) {
            this(length, blockSize, replication, mtimeMs, blocks, Access.legacy(false));
        }

        public File withBlocks(List<BlockRef> replaced) {
            return new File(length, blockSize, replication, mtimeMs, replaced, access);
        }

        @Override
        public File withAccess(Access replaced) {
            return new File(length, blockSize, replication, mtimeMs, blocks, replaced);
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
                    writeAccess(out, d.access());
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
                    writeAccess(out, f.access());
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
            if (version != VERSION && version != 1)
                throw new IllegalArgumentException(
                        "store entry " + path + " has format version " + version + ", this node reads " + VERSION);
            return switch (kind) {
                case DIR -> {
                    long mtime = in.readLong();
                    yield new Dir(mtime, version == 1 ? Access.legacy(true) : readAccess(path, in));
                }
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
                    Access access = version == 1 ? Access.legacy(false) : readAccess(path, in);
                    yield new File(length, blockSize, replication, mtime, blocks, access);
                }
                default -> throw new IllegalArgumentException("not a store entry (kind " + kind + "): " + path);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("store entry " + path + " is truncated", e);
        }
    }

    private static void writeAccess(DataOutputStream out, Access a) throws IOException {
        out.writeUTF(a.owner());
        out.writeUTF(a.group());
        out.writeShort(a.permission().bits());
    }

    private static Access readAccess(String path, DataInputStream in) throws IOException {
        String owner = in.readUTF();
        String group = in.readUTF();
        int bits = in.readShort();
        try {
            return new Access(owner, group, new FsPermission(bits));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("store entry " + path + " is corrupt: " + e.getMessage(), e);
        }
    }
}
