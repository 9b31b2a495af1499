package dev.cairn.coord.internal.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;

/**
 * ZooKeeper's framing: every packet is a 4-byte big-endian length and that many bytes of jute
 * records. A length below zero or above the configured maximum is a protocol error that closes
 * the connection (and only it).
 */
final class Frames {
    private Frames() {}

    /** Thrown for a packet the server cannot accept; the connection is closed with this message logged. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** Reads the next packet body; null at a clean end of stream before a length. */
    static byte[] read(DataInputStream in, int maxBytes) throws IOException {
        int len;
        try {
            len = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        return readBody(in, len, maxBytes);
    }

    static byte[] readBody(DataInputStream in, int len, int maxBytes) throws IOException {
        if (len < 0 || len > maxBytes) throw new ProtocolException("packet length " + len + " outside 0.." + maxBytes);
        byte[] body = new byte[len];
        in.readFully(body);
        return body;
    }

    /** One packet made of records, length included. */
    static byte[] packet(Record... records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        bytes.write(new byte[4]);
        BinaryOutputArchive archive = BinaryOutputArchive.getArchive(bytes);
        for (Record r : records) {
            if (r != null) r.serialize(archive, "r");
        }
        byte[] out = bytes.toByteArray();
        int len = out.length - 4;
        out[0] = (byte) (len >>> 24);
        out[1] = (byte) (len >>> 16);
        out[2] = (byte) (len >>> 8);
        out[3] = (byte) len;
        return out;
    }

    static BinaryInputArchive archive(byte[] body) {
        return BinaryInputArchive.getArchive(new ByteArrayInputStream(body));
    }

    /** Reads a record from an archive, turning jute's failures into a protocol error. */
    static <R extends Record> R read(BinaryInputArchive archive, R record) throws ProtocolException {
        try {
            record.deserialize(archive, "r");
            return record;
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("malformed " + record.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
