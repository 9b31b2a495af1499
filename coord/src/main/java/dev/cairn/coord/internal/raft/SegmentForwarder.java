package dev.cairn.coord.internal.raft;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one-way stream on which a member sends the changes its clients proposed to the leader,
 * which puts them in its next log entry. It runs on the leader's Raft port: the stream opens
 * with {@link #PREFACE}, whose first byte — a zero length — no frame of Ratis' Netty transport
 * starts with, and continues with frames of a 4-byte length and one encoded segment.
 *
 * <p>Nothing comes back: the sender learns what became of a segment by applying the log (its
 * results, in the entry that holds it), or by giving up on it — after its timeout, or when the
 * leader it was sent to is replaced (the segment may still be applied, like any request whose
 * answer is lost). Segments are never resent, so none is applied twice; one connection keeps
 * them in order.
 *
 * <p>One sender at a time ({@link #send} is synchronized); {@link #disconnect} may come from any
 * thread, and unblocks a send stuck on a leader that stopped reading.
 */
final class SegmentForwarder implements AutoCloseable {
    static final byte[] PREFACE = {0, 'C', 'S', 'E', 'G'};

    private volatile Socket socket;
    private DataOutputStream out;
    private String connectedTo;
    private final int connectTimeoutMs;

    SegmentForwarder(int connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** Writes the segments to the leader {@code leaderId} at {@code address}, connecting first if need be. */
    synchronized void send(String leaderId, InetSocketAddress address, List<byte[]> segments) throws IOException {
        try {
            if (socket == null || socket.isClosed() || !leaderId.equals(connectedTo)) connect(leaderId, address);
            for (byte[] s : segments) {
                out.writeInt(s.length);
                out.write(s);
            }
            out.flush();
        } catch (IOException e) {
            disconnect();
            throw new IOException("forwarding to the coord leader " + leaderId + " at " + address + " failed: " + e.getMessage(), e);
        }
    }

    private void connect(String leaderId, InetSocketAddress address) throws IOException {
        disconnect();
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(address, connectTimeoutMs);
            out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
            out.write(PREFACE);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        connectedTo = leaderId;
    }

    /** Closes the connection, if any; the next send opens a new one. */
    void disconnect() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        disconnect();
    }

    /**
     * Whether a stream is a forwarding stream: true if its first byte is the preface's, and
     * otherwise leaves the stream where it was (at the first frame of Ratis' transport).
     */
    static boolean startsForwarding(BufferedInputStream in) throws IOException {
        in.mark(1);
        int first = in.read();
        if (first == PREFACE[0]) return true;
        in.reset();
        return false;
    }

    /**
     * Serves a forwarding stream whose first byte {@link #startsForwarding} read: checks the rest
     * of the preface, then hands each segment to {@code segments} until the stream ends.
     *
     * @throws IOException when the stream breaks
     * @throws IllegalArgumentException when the preface or a frame is malformed, or {@code segments} refuses a segment
     */
    static void receive(InputStream in, Consumer<byte[]> segments) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] preface = new byte[PREFACE.length - 1];
        data.readFully(preface);
        if (!Arrays.equals(preface, Arrays.copyOfRange(PREFACE, 1, PREFACE.length))) {
            throw new IllegalArgumentException("neither a Raft frame nor a forwarding preface: 0 " + Arrays.toString(preface));
        }
        while (true) {
            int first = data.read();
            if (first < 0) return;
            int length = (first << 24) | (data.readUnsignedByte() << 16) | (data.readUnsignedByte() << 8) | data.readUnsignedByte();
            if (length <= 0 || length > NettyFrames.MAX_FRAME) throw new IllegalArgumentException("bad segment length " + length);
            byte[] segment = new byte[length];
            data.readFully(segment);
            segments.accept(segment);
        }
    }
}
