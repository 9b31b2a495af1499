package dev.cairn.dataflow.internal.network;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes and reads {@link Frame}s and the connection preamble (the format is in
 * {@code package-info.java}). Reading checks every length against a bound before anything is
 * allocated or read, and the fixed-size frames against their exact size, so a malformed or
 * hostile peer costs at most one buffer and ends in a {@link ProtocolException}.
 */
public final class FrameCodec {
    static final int MAGIC = 0x43444E54; // "CDNT"
    static final int VERSION = 1;

    static final int OPEN = 1;
    static final int CREDIT = 2;
    static final int CLOSE = 3;
    static final int BUFFER = 4;
    static final int WATERMARK = 5;
    static final int IDLENESS = 6;
    static final int BARRIER = 7;
    static final int END_OF_PARTITION = 8;
    static final int ERROR = 9;

    /** Type, channel, backlog and record count before a buffer's bytes. */
    static final int BUFFER_HEADER = 1 + 4 + 4 + 4;
    /** UTF-8 bytes of an error message; longer ones are cut. */
    static final int MAX_MESSAGE_BYTES = 4000;
    /** Characters of a peer's node name. */
    static final int MAX_NAME = 200;

    /** Where a buffer frame's bytes are read to: a buffer of the channel's gate, or scratch space to drop them. */
    public interface SegmentSource {
        /**
         * An array of at least {@code length} bytes for a buffer of {@code channel}.
         *
         * @throws ProtocolException if the channel may not send one now (no credit)
         */
        byte[] segment(int channel, int length) throws ProtocolException;
    }

    private final int maxBufferBytes;

    /** @param maxBufferBytes the largest buffer a peer may send (the buffer size) */
    public FrameCodec(int maxBufferBytes) {
        this.maxBufferBytes = maxBufferBytes;
    }

    public static void writePreamble(DataOutputStream out, String nodeName) throws IOException {
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
        out.writeUTF(nodeName.length() > MAX_NAME ? nodeName.substring(0, MAX_NAME) : nodeName);
    }

    /** Reads the peer's preamble and returns its node name. */
    public static String readPreamble(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC)
            throw new ProtocolException("peer does not speak the Cairn stream network protocol (magic 0x"
                    + Integer.toHexString(magic) + ")");
        int version = in.readUnsignedShort();
        if (version != VERSION)
            throw new ProtocolException("peer speaks protocol version " + version + ", this node " + VERSION);
        String name = in.readUTF();
        if (name.isEmpty() || name.length() > MAX_NAME)
            throw new ProtocolException(
                    "peer node name of " + name.length() + " characters, expected 1 to " + MAX_NAME);
        return name;
    }

    /** Writes {@code frame} (buffered: it leaves with the stream's next flush). */
    public void write(DataOutputStream out, Frame frame) throws IOException {
        switch (frame) {
            case Frame.Open(int channel, ChannelId id, int credits) -> {
                header(out, 1 + 4 + 8 + 4 + 4 + 4 + 4, OPEN, channel);
                out.writeLong(id.job());
                out.writeInt(id.edge());
                out.writeInt(id.producer());
                out.writeInt(id.consumer());
                out.writeInt(credits);
            }
            case Frame.Credit(int channel, int credits) -> {
                header(out, 1 + 4 + 4, CREDIT, channel);
                out.writeInt(credits);
            }
            case Frame.Close(int channel) -> header(out, 1 + 4, CLOSE, channel);
            case Frame.Buffer(int channel, int backlog, int records, ByteBuffer data) -> {
                int n = data.remaining();
                if (n > maxBufferBytes)
                    throw new IllegalArgumentException("buffer of " + n + " bytes exceeds " + maxBufferBytes);
                header(out, BUFFER_HEADER + n, BUFFER, channel);
                out.writeInt(backlog);
                out.writeInt(records);
                if (data.hasArray()) out.write(data.array(), data.arrayOffset() + data.position(), n);
                else for (int i = data.position(); i < data.limit(); i++) out.write(data.get(i));
            }
            case Frame.Watermark(int channel, long watermark) -> {
                header(out, 1 + 4 + 8, WATERMARK, channel);
                out.writeLong(watermark);
            }
            case Frame.Idleness(int channel, boolean idle) -> {
                header(out, 1 + 4 + 1, IDLENESS, channel);
                out.writeBoolean(idle);
            }
            case Frame.Barrier(int channel, long checkpointId, long timestamp) -> {
                header(out, 1 + 4 + 8 + 8, BARRIER, channel);
                out.writeLong(checkpointId);
                out.writeLong(timestamp);
            }
            case Frame.EndOfPartition(int channel) -> header(out, 1 + 4, END_OF_PARTITION, channel);
            case Frame.Failure(int channel, String message) -> {
                byte[] text = messageBytes(message);
                header(out, 1 + 4 + 2 + text.length, ERROR, channel);
                out.writeShort(text.length);
                out.write(text);
            }
        }
    }

    private static void header(DataOutputStream out, int length, int type, int channel) throws IOException {
        out.writeInt(length);
        out.writeByte(type);
        out.writeInt(channel);
    }

    private static byte[] messageBytes(String message) {
        byte[] b = (message == null ? "(no message)" : message).getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_MESSAGE_BYTES) return b;
        // Cut at a character boundary: back off continuation bytes (10xxxxxx).
        int end = MAX_MESSAGE_BYTES;
        while (end > 0 && (b[end] & 0xC0) == 0x80) end--;
        byte[] cut = new byte[end];
        System.arraycopy(b, 0, cut, 0, end);
        return cut;
    }

    /**
     * Reads the next frame; a buffer's bytes go into an array from {@code segments}, which the
     * returned frame's data wraps.
     *
     * @throws java.io.EOFException if the stream ends, even between frames
     * @throws ProtocolException naming what is wrong, if the bytes are not a frame
     */
    public Frame read(DataInputStream in, SegmentSource segments) throws IOException {
        int length = in.readInt();
        if (length < 1 + 4 || length > BUFFER_HEADER + maxBufferBytes)
            throw new ProtocolException(
                    "frame length " + length + " is not in [5, " + (BUFFER_HEADER + maxBufferBytes) + "]");
        int type = in.readUnsignedByte();
        int channel = in.readInt();
        return switch (type) {
            case OPEN -> {
                expect(length, 1 + 4 + 8 + 4 + 4 + 4 + 4, "OPEN");
                ChannelId id = new ChannelId(in.readLong(), in.readInt(), in.readInt(), in.readInt());
                int credits = in.readInt();
                if (channel < 0 || credits < 0 || id.edge() < 0 || id.producer() < 0 || id.consumer() < 0)
                    throw new ProtocolException(
                            "OPEN with a negative field: channel " + channel + ", " + id + ", credits " + credits);
                yield new Frame.Open(channel, id, credits);
            }
            case CREDIT -> {
                expect(length, 1 + 4 + 4, "CREDIT");
                int credits = in.readInt();
                if (credits < 1) throw new ProtocolException("CREDIT of " + credits + " on channel " + channel);
                yield new Frame.Credit(channel, credits);
            }
            case CLOSE -> {
                expect(length, 1 + 4, "CLOSE");
                yield new Frame.Close(channel);
            }
            case BUFFER -> {
                if (length < BUFFER_HEADER) throw new ProtocolException("BUFFER frame of " + length + " bytes");
                int backlog = in.readInt();
                int records = in.readInt();
                int n = length - BUFFER_HEADER;
                if (backlog < 0 || records < 0 || records > n)
                    throw new ProtocolException("BUFFER on channel " + channel + " with backlog " + backlog + " and "
                            + records + " records in " + n + " bytes");
                byte[] segment = segments.segment(channel, n);
                in.readFully(segment, 0, n);
                yield new Frame.Buffer(channel, backlog, records, ByteBuffer.wrap(segment, 0, n));
            }
            case WATERMARK -> {
                expect(length, 1 + 4 + 8, "WATERMARK");
                yield new Frame.Watermark(channel, in.readLong());
            }
            case IDLENESS -> {
                expect(length, 1 + 4 + 1, "IDLENESS");
                int idle = in.readUnsignedByte();
                if (idle > 1) throw new ProtocolException("IDLENESS flag " + idle + " on channel " + channel);
                yield new Frame.Idleness(channel, idle == 1);
            }
            case BARRIER -> {
                expect(length, 1 + 4 + 8 + 8, "BARRIER");
                yield new Frame.Barrier(channel, in.readLong(), in.readLong());
            }
            case END_OF_PARTITION -> {
                expect(length, 1 + 4, "END_OF_PARTITION");
                yield new Frame.EndOfPartition(channel);
            }
            case ERROR -> {
                int n = in.readUnsignedShort();
                if (n > MAX_MESSAGE_BYTES || length != 1 + 4 + 2 + n)
                    throw new ProtocolException("ERROR frame of " + length + " bytes with a message of " + n);
                byte[] text = new byte[n];
                in.readFully(text);
                yield new Frame.Failure(channel, new String(text, StandardCharsets.UTF_8));
            }
            default -> throw new ProtocolException("unknown frame type " + type + " (frame of " + length + " bytes)");
        };
    }

    private static void expect(int length, int expected, String type) throws ProtocolException {
        if (length != expected)
            throw new ProtocolException(type + " frame of " + length + " bytes, expected " + expected);
    }
}
