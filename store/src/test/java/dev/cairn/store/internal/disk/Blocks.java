package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/** Test helpers: random block content, writing it in random pieces, reading it back, damaging it. */
final class Blocks {
    private Blocks() {}

    static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Writes {@code data} as block {@code id} in pieces of random sizes, through all three write paths. */
    static BlockInfo write(LocalBlockStore store, BlockId id, byte[] data, Random random) throws IOException {
        try (BlockWriter w = store.create(id)) {
            int pos = 0;
            while (pos < data.length) {
                int n = Math.min(data.length - pos, 1 + random.nextInt(2 * w.chunkSize() + 3));
                switch (random.nextInt(3)) {
                    case 0 -> w.write(data, pos, n);
                    case 1 -> w.write(ByteBuffer.wrap(data, pos, n));
                    default ->
                        w.write(ByteBuffer.allocateDirect(n).put(data, pos, n).flip());
                }
                pos += n;
                if (w.length() != pos) throw new AssertionError("length " + w.length() + " after writing " + pos);
            }
            return w.finish();
        }
    }

    static byte[] readAll(LocalBlockStore store, BlockId id) throws IOException {
        try (BlockReader r = store.open(id)) {
            byte[] b = new byte[Math.toIntExact(r.length())];
            int n = r.read(0, b, 0, b.length);
            if (n != b.length) throw new AssertionError("read " + n + " of " + b.length);
            return b;
        }
    }

    static Path dataFile(LocalBlockStore store, BlockId id) throws IOException {
        try (BlockReader r = store.open(id)) {
            return r.dir().resolve("current").resolve(id.toString());
        }
    }

    static Path crcFile(LocalBlockStore store, BlockId id) throws IOException {
        return dataFile(store, id).resolveSibling(id + ".crc");
    }

    /** Inverts the byte at {@code offset} of the block's data file, as bit rot would. */
    static void flipByte(LocalBlockStore store, BlockId id, long offset) throws IOException {
        try (FileChannel ch =
                FileChannel.open(dataFile(store, id), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, offset);
        }
    }
}
