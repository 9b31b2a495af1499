package dev.cairn.store.internal.client;

import dev.cairn.store.WriteOptions;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import dev.cairn.store.internal.transfer.BlockPipelineWriter;
import dev.cairn.store.internal.transfer.DataAddress;
import dev.cairn.store.internal.transfer.PipelineAck;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one store file: cuts the stream into blocks, sends each through a pipeline of replicas,
 * and on {@link #close} makes the file visible with its whole block list in one coord change.
 *
 * <p>Every block is recorded in the write's pending znode before its first byte is sent, so a
 * writer that dies leaves only blocks that garbage collection knows to look for. A block counts
 * as written when at least one replica finished it (data fsynced); replicas a failing pipeline
 * lost are restored by the replication monitor, as in HDFS with its minimum replication of one.
 * A pipeline whose first node cannot be reached is replaced before any data is sent.
 *
 * <p>One block may be in flight behind the one being written: once a block's end is sent, the
 * next block streams while the nodes fsync the previous one, whose ack is collected before the
 * block after that starts and before the file is closed. That keeps the disks and the network
 * busy through the fsync at the end of every block, where a writer waiting for each ack would
 * leave them idle.
 */
public final class StoreOutputStream extends OutputStream {
    private static final Logger LOG = LoggerFactory.getLogger(StoreOutputStream.class);

    private final StoreContext context;
    private final String path;
    private final WriteOptions options;
    private final String pending;
    private final List<BlockId> allocated = new ArrayList<>();
    private final List<Inode.BlockRef> written = new ArrayList<>();
    private final byte[] one = new byte[1];
    private BlockPipelineWriter block;
    private BlockId blockId;
    private List<NodeInfo> pipeline;
    private long blockBytes;
    /** A block whose end was sent and whose ack is still to be collected. */
    private InFlight inFlight;

    private record InFlight(BlockPipelineWriter writer, BlockId id, List<NodeInfo> pipeline, long bytes) {}

    private long length;
    private boolean closed;

    public StoreOutputStream(StoreContext context, String path, WriteOptions options) throws IOException {
        this.context = context;
        this.path = path;
        this.options = options;
        this.pending = context.namespace().beginWrite(path);
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("the stream writing " + path + " is closed");
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        try {
            while (len > 0) {
                if (block == null) startBlock();
                int n = (int) Math.min(len, options.blockSize() - blockBytes);
                block.write(b, off, n);
                blockBytes += n;
                length += n;
                off += n;
                len -= n;
                if (blockBytes == options.blockSize()) endBlock();
            }
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    private void startBlock() throws IOException {
        blockId = new BlockId(context.random().nextLong());
        allocated.add(blockId);
        context.namespace().updateWrite(pending, path, allocated);
        List<NodeInfo> live = context.registry().live();
        Set<String> unreachable = new HashSet<>();
        IOException last = null;
        while (true) {
            pipeline = context.placement().choose(live, options.replication(), context.localNodeId(), unreachable);
            if (pipeline.isEmpty()) {
                String why = live.isEmpty() ? "no store node is live" : "no live store node could be reached";
                IOException e = new IOException("cannot write " + path + ": " + why
                        + (last != null ? " (last error: " + last.getMessage() + ")" : ""));
                if (last != null) e.addSuppressed(last);
                throw e;
            }
            try {
                block = BlockPipelineWriter.open(
                        blockId,
                        pipeline.stream()
                                .map(n -> DataAddress.parse(n.dataAddress()))
                                .toList(),
                        WriteOptions.CHUNK_SIZE,
                        context.timeout(),
                        context.security(),
                        pending);
                blockBytes = 0;
                return;
            } catch (IOException e) {
                LOG.warn(
                        "store node {} unreachable for block {} of {}: {}",
                        pipeline.getFirst().id(),
                        blockId,
                        path,
                        e.getMessage());
                unreachable.add(pipeline.getFirst().id());
                last = e;
            }
        }
    }

    /** Sends the end of the current block, and collects the ack of the one before it. */
    private void endBlock() throws IOException {
        block.endBlock();
        InFlight ended = new InFlight(block, blockId, pipeline, blockBytes);
        block = null;
        settle();
        inFlight = ended;
    }

    /** Collects the ack of the block in flight, if any: it counts as written with one replica or more. */
    private void settle() throws IOException {
        if (inFlight == null) return;
        InFlight b = inFlight;
        inFlight = null;
        PipelineAck ack = b.writer().awaitAck();
        List<String> nodes = new ArrayList<>();
        for (NodeInfo n : b.pipeline())
            if (ack.succeeded().contains(DataAddress.parse(n.dataAddress()))) nodes.add(n.id());
        if (nodes.isEmpty())
            throw new IOException("block " + b.id() + " of " + path + " could not be written to any replica: " + ack);
        if (nodes.size() < b.pipeline().size())
            LOG.warn(
                    "block {} of {} has {} of {} replicas: {}",
                    b.id(),
                    path,
                    nodes.size(),
                    b.pipeline().size(),
                    ack);
        written.add(new Inode.BlockRef(b.id(), b.bytes(), nodes));
    }

    /** Finishes the last block and makes the file visible. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            if (block != null) {
                if (blockBytes > 0) {
                    endBlock();
                } else {
                    block.abort();
                    block = null;
                }
            }
            settle();
            Inode.File file =
                    new Inode.File(length, options.blockSize(), options.replication(), context.clockMillis(), written);
            Inode.File replaced = context.namespace().commit(pending, path, file, options.overwrite());
            closed = true;
            if (replaced != null) context.deleteBlocksQuietly(replaced.blocks());
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /** Abandons the write: nothing becomes visible; the blocks written so far are garbage. */
    private void fail() {
        if (closed) return;
        closed = true;
        if (block != null) block.abort();
        block = null;
        if (inFlight != null) inFlight.writer().abort(); // its end was sent: if stored, it is garbage for collection
        inFlight = null;
        context.deleteBlocksQuietly(written); // garbage collection would find them too, after its grace period
        try {
            context.namespace().abandonWrite(pending);
        } catch (IOException e) {
            LOG.debug("abandoning write of {}: {}", path, e.getMessage());
        }
    }
}
