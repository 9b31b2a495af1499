package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockReader;
import dev.cairn.store.internal.disk.ChecksumException;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's two ways of sending a local replica: raw chunks to a reader ({@code READ_BLOCK}),
 * and a pipeline write to other nodes ({@code REPLICATE}). Neither checks the chunks it reads: the
 * receiver does, against the stored checksums sent along, so a corrupt replica is caught whether
 * the damage is on this disk, in memory or on the wire, and is never copied as good.
 */
final class BlockSender {
    private static final Logger LOG = LoggerFactory.getLogger(BlockSender.class);

    private BlockSender() {}

    /**
     * Answers a READ_BLOCK: the header (block length, chunk size), then each chunk overlapping the
     * range as (index, length, stored CRC32C, bytes), then {@link Wire#END_OF_CHUNKS}; or, in place
     * of a chunk that could not be read, {@link Wire#CORRUPT_CHUNK} (the disk layer found it
     * damaged) or {@link Wire#READ_ERROR}, and a message. Returns the bytes of block data sent.
     */
    static long sendChunks(LocalBlockStore store, Connection c, Request.ReadBlock r) throws IOException {
        BlockReader reader = openLocal(store, c, r.id());
        if (reader == null) return 0;
        try (reader) {
            long length = reader.length();
            if (r.offset() > length) {
                Wire.writeStatus(
                        c.out,
                        Wire.FAILED,
                        "offset " + r.offset() + " is beyond the end of " + r.id() + " (" + length + " bytes)");
                return 0;
            }
            long end = r.length() == -1 || r.length() > length - r.offset() ? length : r.offset() + r.length();
            int chunkSize = reader.chunkSize();
            c.out.writeByte(Wire.OK);
            c.out.writeLong(length);
            c.out.writeInt(chunkSize);
            long sent = 0;
            byte[] buf = new byte[chunkSize];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            // The chunks overlapping [offset, end); none if that is empty.
            for (long i = r.offset() / chunkSize; r.offset() < end && i * chunkSize < end; i++) {
                int index = (int) i;
                bb.clear();
                int crc;
                try {
                    crc = reader.readChunk(index, bb);
                } catch (IOException e) {
                    LOG.warn("cannot read chunk {} of {} for {}", index, r.id(), c.peer, e);
                    c.out.writeInt(e instanceof ChecksumException ? Wire.CORRUPT_CHUNK : Wire.READ_ERROR);
                    Wire.writeMessage(c.out, "cannot read chunk " + index + ": " + Wire.describe(e));
                    return sent;
                }
                c.out.writeInt(index);
                c.out.writeInt(bb.position());
                c.out.writeInt(crc);
                c.out.write(buf, 0, bb.position());
                sent += bb.position();
            }
            c.out.writeInt(Wire.END_OF_CHUNKS);
            return sent;
        }
    }

    /**
     * Answers a REPLICATE: pipelines the local replica to the targets as a client would, and replies
     * with their ack. The ack tells every failure on the targets' side, including a target that
     * cannot be reached; only a failure to read the local replica is answered FAILED.
     */
    static void replicate(
            LocalBlockStore store, Duration timeout, TransportSecurity security, Connection c, Request.Replicate r)
            throws IOException {
        BlockReader reader = openLocal(store, c, r.id());
        if (reader == null) return;
        List<PipelineAck.NodeOutcome> outcomes;
        try (reader) {
            outcomes = copy(reader, r, timeout, security);
        } catch (LocalReadException e) {
            LOG.warn("cannot replicate {} to {}: {}", r.id(), r.targets(), e.getMessage());
            Wire.writeStatus(c.out, Wire.FAILED, e.getMessage());
            return;
        }
        LOG.info("replicated {} to {}: {}", r.id(), r.targets(), outcomes);
        c.out.writeByte(Wire.OK);
        PipelineAck.writeOutcomes(c.out, outcomes);
    }

    /** A local read failed while replicating: not the targets' fault, so not an outcome of theirs. */
    private static final class LocalReadException extends Exception {
        LocalReadException(String message) {
            super(message, null, false, false);
        }
    }

    private static List<PipelineAck.NodeOutcome> copy(
            BlockReader reader, Request.Replicate r, Duration timeout, TransportSecurity security)
            throws LocalReadException {
        ByteBuffer buf = ByteBuffer.allocate(reader.chunkSize());
        try (BlockPipelineWriter writer =
                BlockPipelineWriter.open(r.id(), r.targets(), reader.chunkSize(), timeout, security)) {
            for (int i = 0, n = reader.chunkCount(); i < n; i++) {
                buf.clear();
                int crc;
                try {
                    crc = reader.readChunk(i, buf);
                } catch (IOException e) {
                    throw new LocalReadException(
                            "cannot read chunk " + i + " of the local replica of " + r.id() + ": " + Wire.describe(e));
                }
                writer.writeChunk(buf.array(), 0, buf.position(), crc);
            }
            return writer.finish().outcomes();
        } catch (IOException e) {
            // Connecting to the first target, sending to it, or its ack failed.
            return PipelineAck.brokenAt(r.targets(), Wire.describe(e));
        }
    }

    /** Opens the local replica, or answers NOT_FOUND or FAILED and returns null. */
    private static BlockReader openLocal(LocalBlockStore store, Connection c, BlockId id) throws IOException {
        try {
            return store.open(id);
        } catch (NoSuchFileException e) {
            Wire.writeStatus(c.out, Wire.NOT_FOUND, id + " is not here");
            return null;
        } catch (IOException e) {
            LOG.warn("cannot open {} for {}", id, c.peer, e);
            Wire.writeStatus(c.out, Wire.FAILED, "cannot open " + id + ": " + Wire.describe(e));
            return null;
        }
    }
}
