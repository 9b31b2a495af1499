package dev.cairn.store.internal.transfer;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Constants and field codecs of the transfer protocol; the format itself is described in
 * {@code package-info.java}. Every read of a length or count checks it against a bound before
 * anything is allocated, so a malformed or hostile peer costs at most one bounded buffer.
 */
final class Wire {
    static final int MAGIC = 0x43584652; // "CXFR"
    /** 2: READ_BLOCK names the file and WRITE_BLOCK the pending write they are for (access checks). */
    static final short VERSION = 2;

    // Opcodes
    static final int WRITE_BLOCK = 1;
    static final int READ_BLOCK = 2;
    static final int DELETE_BLOCKS = 3;
    static final int LIST_BLOCKS = 4;
    static final int STATUS = 5;
    static final int REPLICATE = 6;

    // Reply statuses: the first byte of every reply (and of the preamble reply).
    static final int OK = 0;
    static final int NOT_FOUND = 1;
    /** The request was understood but failed; a message follows; the connection stays usable. */
    static final int FAILED = 2;
    /** The request was malformed; a message follows; the server closes the connection. */
    static final int BAD_REQUEST = 3;

    // Chunk frames of WRITE_BLOCK (client to server): a length, 0 ends the block.
    static final int END_OF_BLOCK = 0;
    // Chunk frames of READ_BLOCK (server to client): a chunk index, or one of these.
    static final int END_OF_CHUNKS = -1;
    static final int READ_ERROR = -2;
    /** The node found the chunk damaged on its disk (data or sidecar cut short): it cannot even send it. */
    static final int CORRUPT_CHUNK = -3;

    // Outcome kinds in an ack.
    static final int STORED = 0;
    static final int NOT_STORED = 1;

    /** Nodes in one pipeline; more is a configuration error, not a replication factor. */
    static final int MAX_PIPELINE = 16;
    /** Ids in one DELETE_BLOCKS request; a client splits longer lists. */
    static final int MAX_IDS = 1 << 16;
    /** Entries in a block report: a sanity bound for the client, far above any node's count. */
    static final int MAX_BLOCK_REPORT = 1 << 26;
    /** Characters of an error message sent; longer ones are cut (writeUTF's limit is 64 KiB). */
    static final int MAX_MESSAGE = 2000;
    /** Socket buffers: a whole default chunk plus its frame header fits, so it goes in one write. */
    static final int BUFFER_SIZE = 128 << 10;

    private Wire() {}

    static void writeAddress(DataOutputStream out, DataAddress a) throws IOException {
        out.writeUTF(a.host());
        out.writeShort(a.port());
    }

    static DataAddress readAddress(DataInputStream in) throws IOException {
        String host = in.readUTF();
        int port = in.readUnsignedShort();
        if (host.isEmpty() || host.length() > DataAddress.MAX_HOST_LENGTH) {
            throw new ProtocolException(
                    "host of " + host.length() + " characters, expected 1 to " + DataAddress.MAX_HOST_LENGTH);
        }
        return new DataAddress(host, port);
    }

    static void writeAddresses(DataOutputStream out, List<DataAddress> list) throws IOException {
        out.writeByte(list.size());
        for (DataAddress a : list) writeAddress(out, a);
    }

    static List<DataAddress> readAddresses(DataInputStream in, int max) throws IOException {
        int n = in.readUnsignedByte();
        if (n > max) throw new ProtocolException("list of " + n + " nodes, at most " + max + " allowed");
        List<DataAddress> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(readAddress(in));
        return List.copyOf(list);
    }

    static BlockId readBlockId(DataInputStream in) throws IOException {
        return new BlockId(in.readLong());
    }

    static int readChunkSize(DataInputStream in) throws IOException {
        int chunkSize = in.readInt();
        if (chunkSize < 1 || chunkSize > LocalBlockStore.MAX_CHUNK_SIZE) {
            throw new ProtocolException(
                    "chunk size " + chunkSize + " is not in [1, " + LocalBlockStore.MAX_CHUNK_SIZE + "]");
        }
        return chunkSize;
    }

    static void writeMessage(DataOutputStream out, String message) throws IOException {
        String m = message == null ? "(no message)" : message;
        out.writeUTF(m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m);
    }

    /** A status byte and, unless it is {@link #OK}, a message. */
    static void writeStatus(DataOutputStream out, int status, String message) throws IOException {
        out.writeByte(status);
        if (status != OK) writeMessage(out, message);
    }

    /** A failure for a message: its text, with its type unless it is a plain IOException, whose text is made to stand alone. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return e.getClass() == IOException.class ? m : e.getClass().getSimpleName() + ": " + m;
    }
}
