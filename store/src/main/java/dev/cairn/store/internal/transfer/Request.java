package dev.cairn.store.internal.transfer;

import dev.cairn.store.internal.disk.BlockId;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a {@link BlockServer} serves. On the wire: the opcode byte, then the body each record
 * writes. {@link WriteBlock}'s chunks follow its header as a stream of their own (see
 * {@link BlockReceiver}); every other request is complete once its body is read.
 */
sealed interface Request {
    int opcode();

    void writeBody(DataOutputStream out) throws IOException;

    default void write(DataOutputStream out) throws IOException {
        out.writeByte(opcode());
        writeBody(out);
    }

    /**
     * Reads the body of a request with this opcode.
     *
     * @throws ProtocolException for an unknown opcode or a field out of its bounds
     */
    static Request read(int opcode, DataInputStream in) throws IOException {
        return switch (opcode) {
            case Wire.WRITE_BLOCK ->
                new WriteBlock(
                        Wire.readBlockId(in),
                        Wire.readChunkSize(in),
                        Wire.readAddresses(in, Wire.MAX_PIPELINE - 1),
                        in.readUTF());
            case Wire.READ_BLOCK -> {
                BlockId id = Wire.readBlockId(in);
                long offset = in.readLong();
                long length = in.readLong();
                if (offset < 0 || length < -1)
                    throw new ProtocolException("bad range: offset " + offset + ", length " + length);
                yield new ReadBlock(id, offset, length, in.readUTF());
            }
            case Wire.DELETE_BLOCKS -> {
                int n = in.readInt();
                if (n < 0 || n > Wire.MAX_IDS)
                    throw new ProtocolException("delete of " + n + " blocks, at most " + Wire.MAX_IDS + " per request");
                List<BlockId> ids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) ids.add(Wire.readBlockId(in));
                yield new DeleteBlocks(ids);
            }
            case Wire.LIST_BLOCKS -> new ListBlocks();
            case Wire.STATUS -> new Status();
            case Wire.REPLICATE -> {
                BlockId id = Wire.readBlockId(in);
                List<DataAddress> targets = Wire.readAddresses(in, Wire.MAX_PIPELINE);
                if (targets.isEmpty()) throw new ProtocolException("replicate " + id + " to no targets");
                yield new Replicate(id, targets);
            }
            default -> throw new ProtocolException("unknown opcode " + opcode);
        };
    }

    /**
     * Store a new block here and on {@code downstream}, in that order. Reply: a {@link PipelineAck}.
     *
     * @param pendingWrite the coord znode of the write the block is for ("" from a node: none needed)
     */
    record WriteBlock(BlockId id, int chunkSize, List<DataAddress> downstream, String pendingWrite) implements Request {
        public WriteBlock {
            downstream = List.copyOf(downstream);
            java.util.Objects.requireNonNull(pendingWrite, "pendingWrite");
        }

        public WriteBlock(BlockId id, int chunkSize, List<DataAddress> downstream) {
            this(id, chunkSize, downstream, "");
        }

        @Override
        public int opcode() {
            return Wire.WRITE_BLOCK;
        }

        @Override
        public void writeBody(DataOutputStream out) throws IOException {
            out.writeLong(id.value());
            out.writeInt(chunkSize);
            Wire.writeAddresses(out, downstream);
            out.writeUTF(pendingWrite);
        }
    }

    /**
     * Raw chunks covering {@code [offset, offset + length)}; {@code length} -1 means to the end.
     *
     * @param file the store path of the file the block belongs to ("" from a node: none needed)
     */
    record ReadBlock(BlockId id, long offset, long length, String file) implements Request {
        public ReadBlock {
            java.util.Objects.requireNonNull(file, "file");
        }

        public ReadBlock(BlockId id, long offset, long length) {
            this(id, offset, length, "");
        }

        @Override
        public int opcode() {
            return Wire.READ_BLOCK;
        }

        @Override
        public void writeBody(DataOutputStream out) throws IOException {
            out.writeLong(id.value());
            out.writeLong(offset);
            out.writeLong(length);
            out.writeUTF(file);
        }
    }

    /** Reply: how many of the blocks existed and were deleted. */
    record DeleteBlocks(List<BlockId> ids) implements Request {
        public DeleteBlocks {
            ids = List.copyOf(ids);
        }

        @Override
        public int opcode() {
            return Wire.DELETE_BLOCKS;
        }

        @Override
        public void writeBody(DataOutputStream out) throws IOException {
            out.writeInt(ids.size());
            for (BlockId id : ids) out.writeLong(id.value());
        }
    }

    /** Reply: every finalized block and its length (the block report). */
    record ListBlocks() implements Request {
        @Override
        public int opcode() {
            return Wire.LIST_BLOCKS;
        }

        @Override
        public void writeBody(DataOutputStream out) {}
    }

    /** Reply: a {@link StoreStatus}. */
    record Status() implements Request {
        @Override
        public int opcode() {
            return Wire.STATUS;
        }

        @Override
        public void writeBody(DataOutputStream out) {}
    }

    /** Pipeline this node's replica of {@code id} to {@code targets}. Reply: the targets' {@link PipelineAck}. */
    record Replicate(BlockId id, List<DataAddress> targets) implements Request {
        public Replicate {
            targets = List.copyOf(targets);
        }

        @Override
        public int opcode() {
            return Wire.REPLICATE;
        }

        @Override
        public void writeBody(DataOutputStream out) throws IOException {
            out.writeLong(id.value());
            Wire.writeAddresses(out, targets);
        }
    }
}
