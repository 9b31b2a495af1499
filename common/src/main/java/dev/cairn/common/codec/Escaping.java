package dev.cairn.common.codec;

/**
 * The framing shared by strings and byte strings: every 0x00 written as 0x00 {@link #ESCAPED},
 * then the terminator 0x00 {@link #END}. As 0x01 &lt; 0xFF, a byte string sorts before every
 * extension of it, including those that continue with 0x00.
 */
final class Escaping {
    private Escaping() {}

    /** Second byte of the terminator. */
    static final byte END = 0x01;
    /** Second byte of an escaped 0x00. */
    static final byte ESCAPED = (byte) 0xFF;

    /**
     * Index of the terminator's 0x00 in the escaped byte string that starts at {@code from}.
     *
     * @throws CodecException if there is no terminator before {@code limit}, or a 0x00 is followed
     *     by anything but {@link #END} or {@link #ESCAPED}
     */
    @SuppressWarnings("IncrementInForLoopAndHeader") // the body's i++ steps over the byte an escape 0x00 pairs with
    static int findEnd(byte[] buf, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (buf[i] != 0) continue;
            if (i + 1 == limit) break;
            byte next = buf[i + 1];
            if (next == END) return i;
            if (next != ESCAPED)
                throw new CodecException("corrupt input: byte 0x00 followed by 0x" + Integer.toHexString(next & 0xFF)
                        + " at offset " + i);
            i++;
        }
        throw new CodecException("truncated input: string or byte string without its terminator");
    }

    static void write(byte[] b, int off, int len, BytesOut out) {
        int zeros = 0;
        for (int i = off; i < off + len; i++) if (b[i] == 0) zeros++;
        byte[] dst = out.ensure(len + zeros + 2);
        int p = out.size();
        if (zeros == 0) {
            System.arraycopy(b, off, dst, p, len);
            p += len;
        } else {
            for (int i = off; i < off + len; i++) {
                dst[p++] = b[i];
                if (b[i] == 0) dst[p++] = ESCAPED;
            }
        }
        dst[p++] = 0;
        dst[p++] = END;
        out.advance(p - out.size());
    }

    static byte[] read(BytesIn in) {
        byte[] buf = in.array();
        int start = in.position();
        int end = findEnd(buf, start, in.limit());
        int zeros = 0;
        for (int i = start; i < end; i++) if (buf[i] == 0) zeros++;
        // findEnd checked that every 0x00 before end is followed by ESCAPED: each zero is 2 bytes.
        byte[] out = new byte[end - start - zeros];
        if (zeros == 0) {
            System.arraycopy(buf, start, out, 0, out.length);
        } else {
            int o = 0;
            for (int i = start; i < end; i++) {
                out[o++] = buf[i];
                if (buf[i] == 0) i++;
            }
        }
        in.position(end + 2);
        return out;
    }
}
