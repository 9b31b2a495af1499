package dev.cairn.common.codec;

import java.nio.charset.StandardCharsets;

/**
 * Strings as escaped, terminated UTF-8 ({@link Escaping}), sorting by code point.
 *
 * <p>This is the hottest codec (every word of a word count goes through it twice), so pure-ASCII
 * strings without NUL, which are their own encoding minus the terminator, are copied straight
 * between the String and the buffer. The general path is a hand-written UTF-8 rather than the
 * JDK's, because the JDK replaces unpaired surrogates and would break the round trip.
 */
final class StringCodec implements Codec<String> {
    @Override
    public String id() {
        return "string";
    }

    @Override
    public String toString() {
        return id();
    }

    @Override
    public void encode(String value, BytesOut out) {
        if (value == null) throw new NullPointerException("string value is null");
        int n = value.length();
        byte[] dst = out.ensure(n + 2);
        int p = out.size();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            // One unsigned compare catches both NUL (needs escaping) and non-ASCII (needs UTF-8).
            if ((char) (c - 1) >= 0x7F) {
                out.advance(i);
                encodeGeneral(value, i, out);
                return;
            }
            dst[p + i] = (byte) c;
        }
        dst[p + n] = 0;
        dst[p + n + 1] = Escaping.END;
        out.advance(n + 2);
    }

    @Override
    public String decode(BytesIn in) {
        byte[] buf = in.array();
        int start = in.position();
        int last = in.limit() - 1;
        for (int i = start; i < last; i++) {
            byte b = buf[i];
            if (b <= 0) {
                if (b == 0 && buf[i + 1] == Escaping.END) {
                    in.position(i + 2);
                    // All bytes before i are 0x01..0x7F: ASCII, which Latin-1 copies byte for char.
                    return new String(buf, start, i - start, StandardCharsets.ISO_8859_1);
                }
                break;
            }
        }
        return decodeGeneral(in);
    }

    /** Encodes {@code s} from index {@code from} on, then the terminator. */
    private static void encodeGeneral(String s, int from, BytesOut out) {
        int n = s.length();
        long len = 0;
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) len += 2;
            else if (c < 0x80) len += 1;
            else if (c < 0x800) len += 2;
            else if (isPair(s, i)) {
                len += 4;
                i++;
            } else len += 3;
        }
        if (len > Integer.MAX_VALUE - 64)
            throw new CodecException("string too long to encode: " + len + " bytes of UTF-8");
        byte[] dst = out.ensure((int) len + 2);
        int p = out.size();
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                dst[p++] = 0;
                dst[p++] = Escaping.ESCAPED;
            } else if (c < 0x80) {
                dst[p++] = (byte) c;
            } else if (c < 0x800) {
                dst[p++] = (byte) (0xC0 | c >> 6);
                dst[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (isPair(s, i)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[p++] = (byte) (0xF0 | cp >> 18);
                dst[p++] = (byte) (0x80 | (cp >> 12 & 0x3F));
                dst[p++] = (byte) (0x80 | (cp >> 6 & 0x3F));
                dst[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                // Any other BMP char, unpaired surrogates included: their code point order is kept.
                dst[p++] = (byte) (0xE0 | c >> 12);
                dst[p++] = (byte) (0x80 | (c >> 6 & 0x3F));
                dst[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        dst[p++] = 0;
        dst[p++] = Escaping.END;
        out.advance(p - out.size());
    }

    private static boolean isPair(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i))
                && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
    }

    private static String decodeGeneral(BytesIn in) {
        byte[] buf = in.array();
        int start = in.position();
        int end = Escaping.findEnd(buf, start, in.limit());
        // Every byte yields at most one char (a 4-byte sequence yields two).
        char[] chars = new char[end - start];
        int n = 0;
        int i = start;
        while (i < end) {
            int b = buf[i] & 0xFF;
            if (b < 0x80) {
                // findEnd checked that a 0x00 before end is an escape: two bytes for one NUL.
                chars[n++] = (char) b;
                i += b == 0 ? 2 : 1;
            } else if (b >= 0xC2 && b < 0xE0) {
                need(i, 2, end);
                chars[n++] = (char) ((b & 0x1F) << 6 | cont(buf, i + 1));
                i += 2;
            } else if (b >= 0xE0 && b < 0xF0) {
                need(i, 3, end);
                int c = (b & 0x0F) << 12 | cont(buf, i + 1) << 6 | cont(buf, i + 2);
                if (c < 0x800) throw corrupt("overlong UTF-8 sequence", i);
                chars[n++] = (char) c;
                i += 3;
            } else if (b >= 0xF0 && b < 0xF5) {
                need(i, 4, end);
                int cp = (b & 0x07) << 18 | cont(buf, i + 1) << 12 | cont(buf, i + 2) << 6 | cont(buf, i + 3);
                if (cp < 0x10000 || cp > Character.MAX_CODE_POINT) throw corrupt("UTF-8 sequence out of range", i);
                chars[n++] = Character.highSurrogate(cp);
                chars[n++] = Character.lowSurrogate(cp);
                i += 4;
            } else {
                throw corrupt("invalid UTF-8 lead byte 0x" + Integer.toHexString(b), i);
            }
        }
        in.position(end + 2);
        return new String(chars, 0, n);
    }

    private static void need(int i, int n, int end) {
        if (end - i < n) throw corrupt("UTF-8 sequence cut short by the terminator", i);
    }

    private static int cont(byte[] buf, int i) {
        int b = buf[i];
        if ((b & 0xC0) != 0x80)
            throw corrupt("expected a UTF-8 continuation byte, got 0x" + Integer.toHexString(b & 0xFF), i);
        return b & 0x3F;
    }

    private static CodecException corrupt(String what, int offset) {
        return new CodecException("corrupt input: " + what + " at offset " + offset);
    }
}
