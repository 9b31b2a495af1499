package dev.cairn.store.internal.transfer;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.ChecksumException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The bytes of a READ_BLOCK reply: receives each raw chunk, checks it against the CRC32C the node
 * sent with it, and only then hands out the part of it inside the range asked for. Every frame is
 * checked against what the header implies (the next chunk index, its exact length), so a confused
 * server cannot feed wrong bytes that happen to carry a matching checksum.
 */
final class VerifyingChunkStream extends InputStream {
    private final Connection conn;
    private final BlockId id;
    private final long blockLength;
    private final int chunkSize;
    private final long start;
    private final long end;
    private final byte[] chunk;
    private final CRC32C crc = new CRC32C();
    /** Index of the next chunk expected. */
    private long next;
    /** Readable part of the current chunk: {@code chunk[pos, limit)}. */
    private int pos;

    private int limit;
    private boolean done;
    private IOException failure;

    VerifyingChunkStream(Connection conn, BlockId id, long blockLength, int chunkSize, long start, long end) {
        this.conn = conn;
        this.id = id;
        this.blockLength = blockLength;
        this.chunkSize = chunkSize;
        this.start = start;
        this.end = end;
        this.next = start / chunkSize;
        this.chunk = new byte[start < end ? chunkSize : 0];
    }

    @Override
    public int read() throws IOException {
        if (pos == limit && !fill()) return -1;
        return chunk[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        if (pos == limit && !fill()) return -1;
        int n = Math.min(len, limit - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    /** Receives the next chunk; false at the end. After a failure the stream is dead: every read repeats it. */
    private boolean fill() throws IOException {
        if (failure != null) throw failure;
        if (done) return false;
        try {
            return nextChunk();
        } catch (IOException e) {
            failure = e;
            conn.close();
            throw e;
        }
    }

    private boolean nextChunk() throws IOException {
        int index = conn.in.readInt();
        long chunkStart = next * chunkSize;
        if (index == Wire.END_OF_CHUNKS) {
            if (start < end && chunkStart < end)
                throw new ProtocolException(
                        conn.peer + " ended " + id + " at chunk " + next + ", before offset " + end);
            done = true;
            conn.close(); // nothing more to come; release the socket now rather than at close()
            return false;
        }
        if (index == Wire.CORRUPT_CHUNK)
            throw new ChecksumException(
                    id, conn.peer, chunkStart, "the node found the chunk damaged on its disk: " + conn.in.readUTF());
        if (index == Wire.READ_ERROR)
            throw new IOException(
                    conn.peer + " cannot read " + id + " at offset " + chunkStart + ": " + conn.in.readUTF());
        if (index != next || start >= end || chunkStart >= end)
            throw new ProtocolException(
                    conn.peer + " sent chunk " + index + " of " + id + " where chunk " + next + " or the end was due");
        int expectedLength = (int) Math.min(chunkSize, blockLength - chunkStart);
        int len = conn.in.readInt();
        if (len != expectedLength)
            throw new ProtocolException(conn.peer + " sent chunk " + index + " of " + id + " with " + len
                    + " bytes, expected " + expectedLength);
        int sentCrc = conn.in.readInt();
        try {
            conn.in.readFully(chunk, 0, len);
        } catch (EOFException e) {
            throw new EOFException(conn.peer + " closed the connection inside chunk " + index + " of " + id);
        }
        crc.reset();
        crc.update(chunk, 0, len);
        int actual = (int) crc.getValue();
        if (actual != sentCrc) {
            throw new ChecksumException(
                    id,
                    conn.peer,
                    chunkStart,
                    "chunk " + index + " has crc " + String.format("0x%08x", actual) + ", its stored checksum is "
                            + String.format("0x%08x", sentCrc));
        }
        next++;
        pos = (int) Math.max(0, start - chunkStart);
        limit = (int) (Math.min(end, chunkStart + len) - chunkStart);
        return true;
    }

    @Override
    public void close() {
        if (failure == null) failure = new IOException("the stream of " + id + " from " + conn.peer + " is closed");
        pos = limit;
        conn.close();
    }
}
