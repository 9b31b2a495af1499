package dev.cairn.common.codec;

/**
 * The built-in codecs. Encodings, all order-preserving and self-delimiting:
 * <ul>
 *   <li>int, long: big-endian two's complement with the sign bit flipped, so negative values come
 *       first;
 *   <li>double: the IEEE bits, all flipped when negative, else only the sign bit flipped. That is
 *       the order of {@link Double#compare}: -0.0 before 0.0, infinities at the ends. Every NaN is
 *       written as the canonical NaN ({@link Double#doubleToLongBits}), which sorts after
 *       +Infinity, so NaN payloads do not survive a round trip;
 *   <li>boolean: one byte, 0 (false) or 1 (true);
 *   <li>String and byte[]: the bytes (for strings UTF-8, except that an unpaired surrogate is
 *       written as its own 3-byte sequence so that every Java string round-trips), each 0x00
 *       written as 0x00 0xFF, then the terminator 0x00 0x01. The byte after a 0x00 always says
 *       whether it is an escape or the end, even when the next encoded value starts with 0xFF;
 *       a lone 0x00 terminator (as in FoundationDB's tuple layer, where every element starts with
 *       a type code) would be ambiguous here, e.g. for the record {@code ("a", Integer.MAX_VALUE)}.
 *       A string sorts before its extensions, and strings sort by code point;
 *   <li>records: their components in declaration order, each with its own codec, so records sort
 *       lexicographically by component.
 * </ul>
 * Encoders reject null (at any depth) with a {@link NullPointerException} that names it; decoders
 * throw {@link CodecException} for truncated or corrupt input.
 */
public final class Codecs {
    private Codecs() {}

    public static final Codec<String> STRING = new StringCodec();
    public static final Codec<Integer> INT = new FixedWidthCodecs.IntCodec();
    public static final Codec<Long> LONG = new FixedWidthCodecs.LongCodec();
    public static final Codec<Double> DOUBLE = new FixedWidthCodecs.DoubleCodec();
    public static final Codec<byte[]> BYTES = new BytesCodec();
    public static final Codec<Boolean> BOOLEAN = new FixedWidthCodecs.BooleanCodec();

    private static final String RECORD_PREFIX = "record:";

    /**
     * The codec for a record whose components are all of types {@link #forType} supports (nested
     * records included). Its id is {@code "record:"} + the class's binary name. The reflection is
     * done once per record class; later calls return the same codec.
     *
     * @throws CodecException naming the record and component if a component's type is
     *     unsupported, the record is recursive, or Cairn cannot access it (make it public, or
     *     open its package)
     */
    public static <R extends Record> Codec<R> record(Class<R> type) {
        return RecordCodec.of(type);
    }

    /**
     * The codec for a Java type: String, int/Integer, long/Long, double/Double, byte[],
     * boolean/Boolean, or a record (see {@link #record}).
     *
     * @throws CodecException for any other type
     */
    public static Codec<?> forType(Class<?> type) {
        if (type == String.class) return STRING;
        if (type == int.class || type == Integer.class) return INT;
        if (type == long.class || type == Long.class) return LONG;
        if (type == double.class || type == Double.class) return DOUBLE;
        if (type == byte[].class) return BYTES;
        if (type == boolean.class || type == Boolean.class) return BOOLEAN;
        if (type.isRecord()) return RecordCodec.of(type.asSubclass(Record.class));
        throw new CodecException("no codec for type " + type.getName()
                + "; supported: String, int, long, double, byte[], boolean, their boxes, and records of these");
    }

    /**
     * Resolves a {@link Codec#id()} produced on this or another node: {@code string}, {@code int},
     * {@code long}, {@code double}, {@code bytes}, {@code boolean}, or {@code record:<binary class
     * name>}, the class being loaded (not initialized) through {@code loader}.
     *
     * @throws CodecException naming the id when it is unknown, or its class is missing or not a
     *     usable record
     */
    public static Codec<?> forId(String id, ClassLoader loader) {
        if (id == null) throw new NullPointerException("codec id is null");
        switch (id) {
            case "string" -> {
                return STRING;
            }
            case "int" -> {
                return INT;
            }
            case "long" -> {
                return LONG;
            }
            case "double" -> {
                return DOUBLE;
            }
            case "bytes" -> {
                return BYTES;
            }
            case "boolean" -> {
                return BOOLEAN;
            }
            default -> {}
        }
        if (!id.startsWith(RECORD_PREFIX)) {
            throw new CodecException(
                    "unknown codec '" + id + "'; known: string, int, long, double, bytes, boolean, record:<class>");
        }
        String name = id.substring(RECORD_PREFIX.length());
        Class<?> type;
        try {
            type = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new CodecException("codec '" + id + "': class " + name + " not found: " + e, e);
        }
        if (!type.isRecord()) throw new CodecException("codec '" + id + "': " + name + " is not a record");
        try {
            return RecordCodec.of(type.asSubclass(Record.class));
        } catch (CodecException e) {
            throw new CodecException("codec '" + id + "': " + e.getMessage(), e);
        }
    }
}
