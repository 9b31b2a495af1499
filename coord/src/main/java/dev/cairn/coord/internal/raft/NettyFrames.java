package dev.cairn.coord.internal.raft;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

/**
 * The framing of Ratis' Netty transport — a varint length, then a protobuf message — over plain
 * blocking streams, so that Cairn's own connections interoperate with Ratis' Netty peers and
 * clients. Each side reuses one array: protobuf's own delimited methods allocate a 4 KiB stream
 * buffer per message, which at thousands of messages a second was most of a member's garbage.
 */
final class NettyFrames {
    /** Larger frames are refused: a corrupt length must not become a huge allocation. */
    static final int MAX_FRAME = 128 << 20;

    private NettyFrames() {}

    /** The read buffer grows with the bytes that arrive (at most doubling, or by this), not with what a length prefix promises. */
    private static final int GROWTH_STEP = 1 << 20;
    /** A read buffer grown past this is dropped after its frame, so a rare huge frame does not pin memory. */
    private static final int KEPT_BUFFER = 1 << 20;

    /** Reads frames from one stream; one thread at a time. */
    static final class Reader {
        private final InputStream in;
        private byte[] frame = new byte[4096];

        Reader(InputStream in) {
            this.in = in;
        }

        /** The next message, or null when the stream ends cleanly between two frames. */
        <T> T read(Parser<T> parser) throws IOException {
            int first = in.read();
            if (first < 0) return null;
            int size = CodedInputStream.readRawVarint32(first, in);
            if (size < 0 || size > MAX_FRAME)
                throw new IOException("bad frame length " + size + " (at most " + MAX_FRAME + ")");
            int read = 0;
            while (read < size) {
                if (frame.length == read)
                    frame = java.util.Arrays.copyOf(frame, Math.min(size, read + Math.max(read, GROWTH_STEP)));
                int n = in.read(frame, read, Math.min(size, frame.length) - read);
                if (n < 0) throw new EOFException("the stream ended inside a frame");
                read += n;
            }
            T message = parser.parseFrom(CodedInputStream.newInstance(frame, 0, size));
            if (frame.length > KEPT_BUFFER) frame = new byte[4096];
            return message;
        }
    }

    /** Writes frames to one stream; callers serialize their calls. */
    static final class Writer {
        private final OutputStream out;
        private byte[] frame = new byte[4096];

        Writer(OutputStream out) {
            this.out = out;
        }

        /** Writes the message as one frame with one write call. */
        void write(MessageLite message) throws IOException {
            int size = message.getSerializedSize();
            int length = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
            if (frame.length < length) frame = new byte[Math.max(length, 2 * frame.length)];
            CodedOutputStream encoder = CodedOutputStream.newInstance(frame, 0, length);
            encoder.writeUInt32NoTag(size);
            message.writeTo(encoder);
            encoder.checkNoSpaceLeft();
            out.write(frame, 0, length);
        }
    }
}
