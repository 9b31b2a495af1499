package dev.cairn.dataflow.internal.network;

/** Unsigned LEB128 lengths of records in a buffer: 7 bits a byte, low bits first, high bit set when more follow. */
final class Varint {
    private Varint() {}

    static int size(int value) {
        int n = 1;
        while ((value >>>= 7) != 0) n++;
        return n;
    }

    /** Writes {@code value} at {@code pos} and returns the position after it. */
    static int write(int value, byte[] b, int pos) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            b[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }
}
