package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockInfo;
import dev.cairn.store.internal.disk.ChecksumException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The client side of a {@link BlockServer}, except for writes ({@link BlockPipelineWriter}): reading
 * a replica, and the management calls. Each call opens a connection of its own and closes it when
 * done. {@code timeout} bounds connecting and every wait for the node; for {@link #replicate}, which
 * answers only once the copy is done, it must cover copying the whole block.
 */
public final class BlockFetcher {
    private BlockFetcher() {}

    /**
     * Opens a stream of bytes {@code [offset, offset + length)} of a replica, cut short where the block
     * ends. Every chunk is checked against the CRC32C stored with it before any of its bytes are
     * returned, so the check covers the node's disk, its memory and the wire.
     *
     * @param length bytes wanted, or -1 for all to the end
     * @return a stream whose reads throw {@link ChecksumException}, naming the block, the node and the
     *     chunk's offset, for a chunk that does not match; close it to release the connection early
     * @throws BlockNotFoundException if the node has no such (finalized) block
     * @throws IOException naming the node, if it cannot be reached or refuses, e.g. for an
     *     {@code offset} beyond the end of the block
     */
    public static InputStream open(DataAddress node, BlockId id, long offset, long length, Duration timeout)
            throws IOException {
        return open(node, id, offset, length, timeout, TransportSecurity.plain());
    }

    /** {@link #open(DataAddress, BlockId, long, long, Duration)} with {@code security}. */
    public static InputStream open(
            DataAddress node, BlockId id, long offset, long length, Duration timeout, TransportSecurity security)
            throws IOException {
        return open(node, id, offset, length, timeout, security, "");
    }

    /**
     * {@link #open(DataAddress, BlockId, long, long, Duration)} with {@code security}, for a block
     * of {@code file}: a user's read is served only if it may read that file and the block is one of its.
     */
    public static InputStream open(
            DataAddress node,
            BlockId id,
            long offset,
            long length,
            Duration timeout,
            TransportSecurity security,
            String file)
            throws IOException {
        Objects.requireNonNull(id, "id");
        if (offset < 0 || length < -1)
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        Connection c = Connection.connect(node, timeout, security);
        try {
            new Request.ReadBlock(id, offset, length, file).write(c.out);
            c.expectOk("READ_BLOCK of " + id, id);
            long blockLength = c.in.readLong();
            int chunkSize = c.in.readInt();
            if (blockLength < 0 || chunkSize < 1 || offset > blockLength) {
                throw new ProtocolException("node " + node + " sent a bad header for " + id + ": length " + blockLength
                        + ", chunk size " + chunkSize);
            }
            long end = length == -1 || length > blockLength - offset ? blockLength : offset + length;
            return new VerifyingChunkStream(c, id, blockLength, chunkSize, offset, end);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Reads a whole replica into memory, checked; for small blocks and tests. */
    public static byte[] readAll(DataAddress node, BlockId id, Duration timeout) throws IOException {
        try (InputStream in = open(node, id, 0, -1, timeout)) {
            return in.readAllBytes();
        }
    }

    /**
     * Deletes blocks on a node; ids it does not have are skipped.
     *
     * @return how many of the blocks the node had and deleted
     * @throws IOException if the node fails a delete; blocks before it may be gone, so repeat the call
     */
    public static int deleteBlocks(DataAddress node, Collection<BlockId> ids, Duration timeout) throws IOException {
        return deleteBlocks(node, ids, timeout, TransportSecurity.plain());
    }

    /** {@link #deleteBlocks(DataAddress, Collection, Duration)} with {@code security}. */
    public static int deleteBlocks(
            DataAddress node, Collection<BlockId> ids, Duration timeout, TransportSecurity security)
            throws IOException {
        List<BlockId> all = List.copyOf(ids);
        if (all.isEmpty()) return 0;
        int deleted = 0;
        try (Connection c = Connection.connect(node, timeout, security)) {
            // Batches, as one request's size is bounded; all on one connection.
            for (int from = 0; from < all.size(); from += Wire.MAX_IDS) {
                List<BlockId> batch = all.subList(from, Math.min(all.size(), from + Wire.MAX_IDS));
                new Request.DeleteBlocks(batch).write(c.out);
                c.expectOk("DELETE_BLOCKS", null);
                deleted += c.in.readInt();
            }
        }
        return deleted;
    }

    /** The node's block report: every finalized block and its length, in id order. */
    public static List<BlockInfo> listBlocks(DataAddress node, Duration timeout) throws IOException {
        return listBlocks(node, timeout, TransportSecurity.plain());
    }

    /** {@link #listBlocks(DataAddress, Duration)} with {@code security}. */
    public static List<BlockInfo> listBlocks(DataAddress node, Duration timeout, TransportSecurity security)
            throws IOException {
        try (Connection c = Connection.connect(node, timeout, security)) {
            new Request.ListBlocks().write(c.out);
            c.expectOk("LIST_BLOCKS", null);
            int n = c.in.readInt();
            if (n < 0 || n > Wire.MAX_BLOCK_REPORT)
                throw new ProtocolException("node " + node + " reported " + n + " blocks");
            List<BlockInfo> blocks = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                BlockId id = new BlockId(c.in.readLong());
                long length = c.in.readLong();
                if (length < 0)
                    throw new ProtocolException("node " + node + " reported " + id + " with length " + length);
                blocks.add(new BlockInfo(id, length));
            }
            return blocks;
        }
    }

    public static StoreStatus status(DataAddress node, Duration timeout) throws IOException {
        return status(node, timeout, TransportSecurity.plain());
    }

    public static StoreStatus status(DataAddress node, Duration timeout, TransportSecurity security)
            throws IOException {
        try (Connection c = Connection.connect(node, timeout, security)) {
            new Request.Status().write(c.out);
            c.expectOk("STATUS", null);
            return new StoreStatus(c.in.readLong(), c.in.readLong(), c.in.readInt());
        }
    }

    /**
     * Has {@code node} copy its replica of {@code id} to {@code targets}, through a write pipeline
     * in that order (it checks nothing itself: each target checks every chunk).
     *
     * @return the targets' outcomes; a target that cannot be reached is one of them
     * @throws BlockNotFoundException if {@code node} has no such block
     * @throws IOException if {@code node} cannot be reached, or cannot read its own replica
     */
    public static PipelineAck replicate(DataAddress node, BlockId id, List<DataAddress> targets, Duration timeout)
            throws IOException {
        return replicate(node, id, targets, timeout, TransportSecurity.plain());
    }

    /** {@link #replicate(DataAddress, BlockId, List, Duration)} with {@code security}. */
    public static PipelineAck replicate(
            DataAddress node, BlockId id, List<DataAddress> targets, Duration timeout, TransportSecurity security)
            throws IOException {
        Objects.requireNonNull(id, "id");
        List<DataAddress> to = List.copyOf(targets);
        if (to.isEmpty() || to.size() > Wire.MAX_PIPELINE)
            throw new IllegalArgumentException("replicate to 1 to " + Wire.MAX_PIPELINE + " nodes, got " + to.size());
        try (Connection c = Connection.connect(node, timeout, security)) {
            new Request.Replicate(id, to).write(c.out);
            c.expectOk("REPLICATE of " + id, id);
            return new PipelineAck(id, PipelineAck.readOutcomes(c.in, to));
        }
    }
}
