package dev.cairn.common.codec;

/**
 * Turns values of one type into bytes and back.
 *
 * <p>Contract, relied on by the shuffle, which sorts and merges keys as raw bytes without
 * decoding them:
 * <ul>
 *   <li><b>Round trip</b>: {@code decode(encode(v))} equals {@code v}.
 *   <li><b>Order preserving</b>: comparing two encodings as unsigned bytes, lexicographically
 *       ({@link java.util.Arrays#compareUnsigned(byte[], byte[])}), orders them as the values'
 *       natural order (for strings: by Unicode code point, which is UTF-8 byte order).
 *   <li><b>Self-delimiting</b>: {@link #decode} consumes exactly the bytes {@link #encode} wrote, so
 *       encodings can be concatenated (records are encoded as their components in order) and the
 *       concatenation still sorts component by component.
 * </ul>
 * Implementations are stateless and thread-safe. Built-ins live in {@link Codecs}.
 */
public interface Codec<T> {

    /**
     * A stable name that {@link Codecs#forId(String, ClassLoader)} resolves back to an equal codec
     * on another node, e.g. {@code "string"}, {@code "long"}, {@code "record:com.acme.Point"}.
     */
    String id();

    /** Appends the encoding of {@code value} (never null) to {@code out}. */
    void encode(T value, BytesOut out);

    /** Reads one value starting at {@code in}'s position and leaves the position just past it. */
    T decode(BytesIn in);
}
