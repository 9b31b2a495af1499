package dev.cairn.dataflow;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.CodecException;
import dev.cairn.common.codec.Codecs;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Text as UTF-8 bytes: a view of {@code length} bytes of an array from {@code offset}, for
 * programs that read text without turning every line and word into a {@link String}
 * ({@link Dataflow#readTextFileUtf8}). Splitting a line into words ({@link #forEachWord}) or
 * fields ({@link #forEachField}) makes views of the line's bytes and copies none; keyed by
 * {@link #CODEC}, a word is hashed, compared and counted as bytes ({@link KeyedStream#count}).
 *
 * <p>A value: equal when the bytes are (whatever the arrays and offsets), ordered as unsigned
 * bytes, which for valid UTF-8 is the order of code points. The viewed bytes must never change:
 * {@link #wrap} trusts its caller on that, {@link #of} and {@link #copyOf} copy. A view keeps
 * its whole array reachable, so a word kept for long (in a collection, say) is better
 * {@link #compact compacted}. The bytes need not be valid UTF-8; {@link #toString} decodes them
 * as the JDK does, replacing malformed input.
 */
public final class Utf8 implements Comparable<Utf8> {
    /**
     * The codec of {@code Utf8} values: the encoding of {@link Codecs#STRING} (escaped, terminated
     * UTF-8), so that a word sorts, and falls into a partition, as the same word as a String does.
     */
    public static final Codec<Utf8> CODEC = new Utf8Codec();

    private final byte[] array;
    private final int offset;
    private final int length;
    private int hash;

    private Utf8(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** A view of {@code array}'s bytes {@code [offset, offset + length)}, which the caller will never change. */
    public static Utf8 wrap(byte[] array, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, array.length);
        return new Utf8(array, offset, length);
    }

    /** A view of the whole of {@code array}, which the caller will never change. */
    public static Utf8 wrap(byte[] array) {
        return new Utf8(array, 0, array.length);
    }

    /** A copy of {@code array}'s bytes {@code [offset, offset + length)}. */
    public static Utf8 copyOf(byte[] array, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, array.length);
        return new Utf8(Arrays.copyOfRange(array, offset, offset + length), 0, length);
    }

    /** {@code s} as UTF-8 (unpaired surrogates become '?', as {@link String#getBytes} makes them). */
    public static Utf8 of(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new Utf8(b, 0, b.length);
    }

    /** The array the bytes are in; read {@link #length} bytes from {@link #offset}, and write none. */
    public byte[] array() {
        return array;
    }

    /** Where the bytes start in {@link #array}. */
    public int offset() {
        return offset;
    }

    /** The number of bytes. */
    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** Byte {@code i} (0-based), as a signed byte. */
    public byte byteAt(int i) {
        java.util.Objects.checkIndex(i, length);
        return array[offset + i];
    }

    /** Bytes {@code [from, to)} of this text, as a view of the same array. */
    public Utf8 slice(int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, length);
        return from == 0 && to == length ? this : new Utf8(array, offset + from, to - from);
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    /** This text in an array of its own: what to keep of a view that would hold a large array. */
    public Utf8 compact() {
        return offset == 0 && length == array.length ? this : new Utf8(toByteArray(), 0, length);
    }

    /**
     * Hands each word to {@code action} in order: the maximal runs of bytes that are not ASCII
     * whitespace (space, '\t', '\n', '\u000B', '\f', '\r' and the separators 0x1C to 0x1F: the
     * ASCII characters {@link Character#isWhitespace} accepts). Non-ASCII bytes never split a
     * word, so on ASCII-whitespace-separated text the words are those of splitting the decoded
     * String at {@link Character#isWhitespace}. Each word is a view of this text's array.
     */
    public void forEachWord(Consumer<? super Utf8> action) {
        byte[] a = array;
        int end = offset + length;
        int i = offset;
        while (true) {
            while (i < end && isSpace(a[i])) i++;
            if (i == end) return;
            int start = i;
            while (i < end && !isSpace(a[i])) i++;
            action.accept(new Utf8(a, start, i - start));
        }
    }

    /**
     * Hands each field separated by {@code separator} (an ASCII character) to {@code action} in
     * order, empty fields included: {@code n} separators make {@code n + 1} fields, and the empty
     * text one empty field. Each field is a view of this text's array.
     */
    public void forEachField(char separator, Consumer<? super Utf8> action) {
        if (separator >= 0x80) throw new IllegalArgumentException("separator is not ASCII: " + separator);
        byte sep = (byte) separator;
        byte[] a = array;
        int end = offset + length;
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (a[i] == sep) {
                action.accept(new Utf8(a, start, i - start));
                start = i + 1;
            }
        }
        action.accept(start == offset ? this : new Utf8(a, start, end - start));
    }

    private static boolean isSpace(byte b) {
        // 0x09..0x0D and 0x1C..0x1F and ' ': one compare rules out every other byte above ' '.
        return b <= ' ' && b >= 0x09 && (b <= 0x0D || b >= 0x1C);
    }

    /** Whether this text starts with {@code prefix}'s bytes. */
    public boolean startsWith(Utf8 prefix) {
        return prefix.length <= length
                && Arrays.equals(
                        array,
                        offset,
                        offset + prefix.length,
                        prefix.array,
                        prefix.offset,
                        prefix.offset + prefix.length);
    }

    /** The bytes as a decimal long: an optional '-' and ASCII digits. */
    public long parseLong() {
        if (length == 0) throw new NumberFormatException("empty text is no number");
        boolean negative = array[offset] == '-';
        int i = negative ? offset + 1 : offset;
        int end = offset + length;
        if (i == end) throw new NumberFormatException("no digits: " + this);
        long v = 0;
        for (; i < end; i++) {
            int d = array[i] - '0';
            if (d < 0 || d > 9) throw new NumberFormatException("not a number: " + this);
            // Accumulate negatively: Long.MIN_VALUE has no positive counterpart.
            if (v < (Long.MIN_VALUE + d) / 10) throw new NumberFormatException("out of range: " + this);
            v = v * 10 - d;
        }
        if (negative) return v;
        if (v == Long.MIN_VALUE) throw new NumberFormatException("out of range: " + this);
        return -v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Utf8 u
                && u.length == length
                && Arrays.equals(array, offset, offset + length, u.array, u.offset, u.offset + length);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = 1;
            for (int i = offset, end = offset + length; i < end; i++) h = 31 * h + array[i];
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(Utf8 o) {
        return Arrays.compareUnsigned(array, offset, offset + length, o.array, o.offset, o.offset + o.length);
    }

    /** The bytes decoded as UTF-8. */
    @Override
    public String toString() {
        return new String(array, offset, length, StandardCharsets.UTF_8);
    }

    /** Escaped, terminated bytes, as {@code StringCodec} writes a String's UTF-8. */
    private static final class Utf8Codec implements Codec<Utf8>, Serializable {
        private static final long serialVersionUID = 1L;
        private static final byte END = 0x01;
        private static final byte ESCAPED = (byte) 0xFF;

        @Override
        public String id() {
            return "utf8";
        }

        @Override
        public String toString() {
            return id();
        }

        @Override
        public void encode(Utf8 value, BytesOut out) {
            int n = value.length;
            byte[] src = value.array;
            int from = value.offset;
            byte[] dst = out.ensure(n + 2);
            int p = out.size();
            System.arraycopy(src, from, dst, p, n);
            // A NUL needs escaping: rare, so look for one only after the copy.
            for (int i = p, end = p + n; i < end; i++) {
                if (dst[i] == 0) {
                    encodeEscaped(src, from + (i - p), n - (i - p), out, i - p);
                    return;
                }
            }
            dst[p + n] = 0;
            dst[p + n + 1] = END;
            out.advance(n + 2);
        }

        /** Writes {@code src[from, from + n)} escaped after the {@code done} bytes copied already, then the end. */
        private static void encodeEscaped(byte[] src, int from, int n, BytesOut out, int done) {
            out.advance(done);
            int zeros = 0;
            for (int i = from; i < from + n; i++) if (src[i] == 0) zeros++;
            byte[] dst = out.ensure(n + zeros + 2);
            int p = out.size();
            for (int i = from; i < from + n; i++) {
                dst[p++] = src[i];
                if (src[i] == 0) dst[p++] = ESCAPED;
            }
            dst[p++] = 0;
            dst[p++] = END;
            out.advance(p - out.size());
        }

        @Override
        public Utf8 decode(BytesIn in) {
            byte[] buf = in.array();
            int start = in.position();
            int limit = in.limit();
            int escapes = 0;
            int i = start;
            while (i < limit) {
                if (buf[i] != 0) {
                    i++;
                    continue;
                }
                if (i + 1 >= limit) break;
                byte next = buf[i + 1];
                if (next == END) {
                    in.position(i + 2);
                    int n = i - start - escapes;
                    byte[] b = new byte[n];
                    if (escapes == 0) System.arraycopy(buf, start, b, 0, n);
                    else unescape(buf, start, i, b);
                    return new Utf8(b, 0, n);
                }
                if (next != ESCAPED) throw new CodecException("corrupt input: bad escape at offset " + i);
                escapes++;
                i += 2; // past the escape byte
            }
            throw new CodecException("corrupt input: text not terminated (from offset " + start + ")");
        }

        private static void unescape(byte[] buf, int from, int to, byte[] dst) {
            int p = 0;
            int i = from;
            while (i < to) {
                byte b = buf[i];
                dst[p++] = b;
                i += b == 0 ? 2 : 1; // a NUL is followed by its escape byte
            }
        }
    }
}
