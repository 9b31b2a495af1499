package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockInfo;
import dev.cairn.store.internal.disk.BlockWriter;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in a pipeline write: receives a block's chunks from upstream, forwards each to
 * the rest of the pipeline and stores it, and at the end answers with every node's outcome.
 *
 * <h2>Failures</h2>
 *
 * The aim is as many durable replicas as possible, and an ack that never claims one that is not:
 *
 * <ul>
 *   <li>The local write fails (the block exists here, a disk error, a chunk whose checksum does not
 *       match, which is corruption on the way here): the local block is aborted, but forwarding
 *       goes on, and this node reports itself failed. A chunk corrupted on the way here is forwarded
 *       as it came, and fails downstream the same way: a node never re-checksums data.
 *   <li>The downstream fails (cannot connect, the connection breaks, a write or the ack wait times
 *       out): this node drops it and goes on storing, and reports that node and all after it failed.
 *       Closing the connection makes the downstream abort its block, and its downstream in turn.
 *   <li>Upstream breaks, times out or sends malformed frames: this node aborts its block and closes
 *       the downstream connection, which aborts the rest; nothing of the block is left anywhere.
 * </ul>
 *
 * Order per chunk: forward first, then write locally, so the downstream works while this node's
 * disk does. At the end: the end marker goes downstream, then the local finish (fsync) runs while
 * the downstream does its own, then the downstream's ack is awaited and this node's ack sent up.
 * Memory: one chunk buffer; backpressure is TCP's, as a slow downstream or disk stops this node
 * reading from upstream.
 */
final class BlockReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(BlockReceiver.class);

    private final LocalBlockStore store;
    private final DataAddress self;
    private final Duration timeout;
    /** How this node reaches the next one down the pipeline: as its own server is reached. */
    private final TransportSecurity security;

    private final Connection upstream;
    private final Request.WriteBlock request;

    private BlockWriter local;
    private String localFailure;
    private BlockPipelineWriter downstream;
    private List<PipelineAck.NodeOutcome> downstreamOutcomes = List.of();

    BlockReceiver(
            LocalBlockStore store,
            DataAddress self,
            Duration timeout,
            TransportSecurity security,
            Connection upstream,
            Request.WriteBlock request) {
        this.security = security;
        this.store = store;
        this.self = self;
        this.timeout = timeout;
        this.upstream = upstream;
        this.request = request;
    }

    /**
     * Receives the block and sends the ack.
     *
     * @throws ProtocolException if the chunk stream is malformed; the block is aborted everywhere
     * @return the bytes of the block stored on this node; 0 if it could not be stored here
     * @throws IOException if the upstream connection fails; the block is aborted everywhere
     */
    long receive() throws IOException {
        start();
        try {
            receiveChunks();
            return finish();
        } finally {
            // Set only if the loop above ended by an exception: nothing of the block may remain.
            if (local != null) abortLocal();
            if (downstream != null) downstream.abort();
        }
    }

    private void start() {
        try {
            local = store.create(request.id(), request.chunkSize());
        } catch (IOException | IllegalStateException e) {
            localFailure = "cannot create " + request.id() + ": " + Wire.describe(e);
            LOG.warn("{}: {}", self, localFailure);
        }
        if (request.downstream().isEmpty()) return;
        try {
            downstream = BlockPipelineWriter.open(
                    request.id(), request.downstream(), request.chunkSize(), timeout, security, request.pendingWrite());
        } catch (IOException e) {
            dropDownstream(e);
        }
    }

    /** Ends at the end marker; each pass takes one frame, and each read waits at most the timeout. */
    private void receiveChunks() throws IOException {
        int chunkSize = request.chunkSize();
        byte[] buf = new byte[chunkSize];
        boolean shortSeen = false;
        while (true) {
            int len = upstream.in.readInt();
            if (len == Wire.END_OF_BLOCK) return;
            if (len < 0 || len > chunkSize)
                throw new ProtocolException(
                        "chunk of " + len + " bytes in " + request.id() + ", whose chunks have 1 to " + chunkSize);
            if (shortSeen) throw new ProtocolException("a chunk after the short last chunk of " + request.id());
            shortSeen = len < chunkSize;
            int crc = upstream.in.readInt();
            upstream.in.readFully(buf, 0, len);
            if (downstream != null) {
                try {
                    downstream.writeChunk(buf, 0, len, crc);
                } catch (IOException e) {
                    dropDownstream(e);
                }
            }
            if (local != null) {
                try {
                    local.writeChunk(buf, 0, len, crc);
                } catch (IOException e) {
                    localFailure = Wire.describe(e);
                    LOG.warn("{}: aborting {}: {}", self, request.id(), localFailure);
                    abortLocal();
                }
            }
        }
    }

    /** Ends the block here and downstream and acks it; returns the bytes stored here (0: not stored). */
    private long finish() throws IOException {
        long stored = 0;
        if (downstream != null) {
            try {
                downstream.endBlock();
            } catch (IOException e) {
                dropDownstream(e);
            }
        }
        PipelineAck.NodeOutcome mine;
        if (local != null) {
            try {
                BlockInfo info = local.finish();
                mine = new PipelineAck.Stored(self, info.length());
                stored = info.length();
            } catch (IOException | IllegalStateException e) {
                // finish() has aborted the block itself.
                localFailure = "cannot finalize: " + Wire.describe(e);
                LOG.warn("{}: {} {}", self, request.id(), localFailure);
                mine = new PipelineAck.Failed(self, localFailure);
            }
            local = null;
        } else {
            mine = new PipelineAck.Failed(self, localFailure);
        }
        if (downstream != null) {
            try {
                downstreamOutcomes = downstream.awaitAck().outcomes();
            } catch (IOException e) {
                dropDownstream(e);
            }
            downstream = null;
        }
        List<PipelineAck.NodeOutcome> outcomes = new ArrayList<>(1 + downstreamOutcomes.size());
        outcomes.add(mine);
        outcomes.addAll(downstreamOutcomes);
        upstream.out.writeByte(Wire.OK);
        PipelineAck.writeOutcomes(upstream.out, outcomes);
        upstream.out.flush();
        LOG.debug("{}: {} done: {}", self, request.id(), outcomes);
        return stored;
    }

    /** Gives up on the downstream: it and every node after it count as failed. */
    private void dropDownstream(IOException cause) {
        LOG.info(
                "{}: dropping downstream {} of {}: {}",
                self,
                request.downstream().get(0),
                request.id(),
                cause.getMessage());
        downstreamOutcomes = PipelineAck.brokenAt(request.downstream(), Wire.describe(cause));
        if (downstream != null) downstream.abort();
        downstream = null;
    }

    private void abortLocal() {
        try {
            local.abort();
        } catch (IOException e) {
            LOG.warn("{}: aborting {} left files behind", self, request.id(), e);
        }
        local = null;
    }
}
