package dev.cairn.common.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The built-in codecs. Encodings, all order-preserving and self-delimiting:
 * <ul>
 *   <li>int, long: big-endian two's complement with the sign bit flipped;
 *   <li>double: the IEEE bits, all flipped when negative, else the sign bit flipped — the order of
 *       {@link Double#compare} (-0.0 before 0.0); every NaN is written as the canonical NaN, last;
 *   <li>boolean: one byte, 0 or 1;
 *   <li>String and byte[]: the bytes (for strings UTF-8, with an unpaired surrogate written as
 *       its own 3-byte sequence so every Java string round-trips), each 0x00 written as
 *       0x00 0xFF, then the terminator 0x00 0x01 — so a string sorts before its extensions,
 *       strings sort by code point, and the byte after a 0x00 always says which it is;
 *   <li>records: their components in declaration order, each with its own codec.
 * </ul>
 */
public final class Codecs {
    private Codecs() {}

    public static final Codec<String> STRING = new StringCodec();
    public static final Codec<Integer> INT = new IntCodec();
    public static final Codec<Long> LONG = new LongCodec();
    public static final Codec<Double> DOUBLE = new DoubleCodec();
    public static final Codec<byte[]> BYTES = new BytesCodec();
    public static final Codec<Boolean> BOOLEAN = new BooleanCodec();

    /** A codec for a record whose components are all of supported types (nested records too). */
    public static <R extends Record> Codec<R> record(Class<R> type) {
        return new RecordCodec<>(type);
    }

    /** The codec for a Java type: String, int/Integer, long/Long, double/Double, byte[], boolean/Boolean, or a record. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Codec<?> forType(Class<?> type) {
        if (type == String.class) return STRING;
        if (type == int.class || type == Integer.class) return INT;
        if (type == long.class || type == Long.class) return LONG;
        if (type == double.class || type == Double.class) return DOUBLE;
        if (type == byte[].class) return BYTES;
        if (type == boolean.class || type == Boolean.class) return BOOLEAN;
        if (type.isRecord()) return record((Class<? extends Record>) type);
        throw new CodecException("no codec for type " + type.getName());
    }

    /** Resolves a {@link Codec#id()}, loading record classes through {@code loader}. */
    public static Codec<?> forId(String id, ClassLoader loader) {
        switch (id) {
            case "string": return STRING;
            case "int": return INT;
            case "long": return LONG;
            case "double": return DOUBLE;
            case "bytes": return BYTES;
            case "boolean": return BOOLEAN;
            default:
        }
        if (id.startsWith("record:")) {
            String name = id.substring("record:".length());
            try {
                Class<?> c = Class.forName(name, true, loader);
                if (!c.isRecord()) throw new CodecException("codec " + id + ": " + name + " is not a record");
                return forType(c);
            } catch (ClassNotFoundException e) {
                throw new CodecException("codec " + id + ": class " + name + " not found", e);
            }
        }
        throw new CodecException("unknown codec '" + id + "'; known: string, int, long, double, bytes, boolean, record:<class>");
    }

    /** Appends {@code b[off, off+len)} with 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x01. */
    static void writeEscaped(byte[] b, int off, int len, BytesOut out) {
        for (int i = off; i < off + len; i++) {
            out.write(b[i]);
            if (b[i] == 0) out.write(0xFF);
        }
        out.write(0);
        out.write(1);
    }

    /** Reads an escaped, terminated byte string. */
    static byte[] readEscaped(BytesIn in) {
        byte[] buf = in.array();
        int start = in.position();
        int limit = in.limit();
        int escapes = 0;
        int i = start;
        while (true) {
            if (i + 1 >= limit) throw new CodecException("truncated input: unterminated string or bytes");
            if (buf[i] == 0) {
                if (buf[i + 1] == 1) break;
                if (buf[i + 1] != (byte) 0xFF) throw new CodecException("corrupt input: 0x00 followed by " + (buf[i + 1] & 0xFF));
                escapes++;
                i += 2;
                continue;
            }
            i++;
        }
        byte[] out = new byte[i - start - escapes];
        int o = 0;
        for (int j = start; j < i; j++) {
            out[o++] = buf[j];
            if (buf[j] == 0) j++;
        }
        in.position(i + 2);
        return out;
    }

    /** UTF-8, except that an unpaired surrogate is encoded like any other BMP code point. */
    static byte[] utf8(String s) {
        BytesOut out = new BytesOut(s.length() * 3);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | c >> 6);
                out.write(0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3F);
                out.write(0x80 | cp >> 6 & 0x3F);
                out.write(0x80 | cp & 0x3F);
            } else {
                out.write(0xE0 | c >> 12);
                out.write(0x80 | c >> 6 & 0x3F);
                out.write(0x80 | c & 0x3F);
            }
        }
        return out.toByteArray();
    }

    static String fromUtf8(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i += 1;
            } else if (c >= 0xF0 && i + 3 < b.length) {
                int cp = (c & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | b[i + 3] & 0x3F;
                sb.appendCodePoint(cp);
                i += 4;
            } else if (c >= 0xE0 && i + 2 < b.length) {
                sb.append((char) ((c & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | b[i + 2] & 0x3F));
                i += 3;
            } else if (c >= 0xC0 && i + 1 < b.length) {
                sb.append((char) ((c & 0x1F) << 6 | b[i + 1] & 0x3F));
                i += 2;
            } else {
                throw new CodecException("corrupt input: bad UTF-8 byte " + c);
            }
        }
        return sb.toString();
    }

    private static final class StringCodec implements Codec<String> {
        @Override
        public String id() {
            return "string";
        }

        @Override
        public void encode(String value, BytesOut out) {
            Objects.requireNonNull(value, "string value");
            int n = value.length();
            // Fast path: ASCII without NUL is its own UTF-8 and needs no escaping.
            byte[] dst = out.ensure(n + 2);
            int base = out.size();
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c == 0 || c >= 0x80) {
                    byte[] utf8 = utf8(value);
                    writeEscaped(utf8, 0, utf8.length, out);
                    return;
                }
                dst[base + i] = (byte) c;
            }
            dst[base + n] = 0;
            dst[base + n + 1] = 1;
            out.advance(n + 2);
        }

        @Override
        public String decode(BytesIn in) {
            byte[] buf = in.array();
            int start = in.position();
            int limit = in.limit();
            for (int i = start; i + 1 < limit; i++) {
                byte b = buf[i];
                if (b == 0) {
                    if (buf[i + 1] != 1) break;
                    in.position(i + 2);
                    return new String(buf, start, i - start, StandardCharsets.ISO_8859_1);
                }
                if (b < 0) break;
            }
            return fromUtf8(readEscaped(in));
        }
    }

    private static final class IntCodec implements Codec<Integer> {
        @Override
        public String id() {
            return "int";
        }

        @Override
        public void encode(Integer value, BytesOut out) {
            out.writeInt(value ^ Integer.MIN_VALUE);
        }

        @Override
        public Integer decode(BytesIn in) {
            return in.readInt() ^ Integer.MIN_VALUE;
        }
    }

    private static final class LongCodec implements Codec<Long> {
        @Override
        public String id() {
            return "long";
        }

        @Override
        public void encode(Long value, BytesOut out) {
            out.writeLong(value ^ Long.MIN_VALUE);
        }

        @Override
        public Long decode(BytesIn in) {
            return in.readLong() ^ Long.MIN_VALUE;
        }
    }

    private static final class DoubleCodec implements Codec<Double> {
        @Override
        public String id() {
            return "double";
        }

        @Override
        public void encode(Double value, BytesOut out) {
            long bits = Double.doubleToLongBits(value);
            out.writeLong(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
        }

        @Override
        public Double decode(BytesIn in) {
            long v = in.readLong();
            return Double.longBitsToDouble(v < 0 ? v ^ Long.MIN_VALUE : ~v);
        }
    }

    private static final class BooleanCodec implements Codec<Boolean> {
        @Override
        public String id() {
            return "boolean";
        }

        @Override
        public void encode(Boolean value, BytesOut out) {
            out.write(value ? 1 : 0);
        }

        @Override
        public Boolean decode(BytesIn in) {
            int b = in.readUnsigned();
            if (b > 1) throw new CodecException("bad boolean byte " + b);
            return b == 1;
        }
    }

    private static final class BytesCodec implements Codec<byte[]> {
        @Override
        public String id() {
            return "bytes";
        }

        @Override
        public void encode(byte[] value, BytesOut out) {
            writeEscaped(value, 0, value.length, out);
        }

        @Override
        public byte[] decode(BytesIn in) {
            return readEscaped(in);
        }
    }

    private static final class RecordCodec<R extends Record> implements Codec<R> {
        private final Class<R> type;
        private final RecordComponent[] components;
        private final Codec<Object>[] codecs;
        private final MethodHandle[] accessors;
        private final MethodHandle constructor;

        @SuppressWarnings("unchecked")
        RecordCodec(Class<R> type) {
            this.type = type;
            this.components = type.getRecordComponents();
            this.codecs = new Codec[components.length];
            this.accessors = new MethodHandle[components.length];
            Class<?>[] types = new Class<?>[components.length];
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            try {
                for (int i = 0; i < components.length; i++) {
                    RecordComponent c = components[i];
                    types[i] = c.getType();
                    try {
                        codecs[i] = (Codec<Object>) forType(c.getType());
                    } catch (CodecException e) {
                        throw new CodecException("record " + type.getName() + ": component '" + c.getName() + "' has unsupported type " + c.getType().getName());
                    }
                    c.getAccessor().setAccessible(true);
                    accessors[i] = lookup.unreflect(c.getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
                }
                var ctor = type.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                constructor = lookup.unreflectConstructor(ctor).asSpreader(Object[].class, components.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                if (e instanceof CodecException ce) throw ce;
                throw new CodecException("record " + type.getName() + " is not accessible to Cairn: " + e.getMessage(), e);
            }
        }

        @Override
        public String id() {
            return "record:" + type.getName();
        }

        @Override
        public void encode(R value, BytesOut out) {
            Objects.requireNonNull(value, "record value");
            for (int i = 0; i < codecs.length; i++) {
                Object v;
                try {
                    v = accessors[i].invokeExact((Object) value);
                } catch (Throwable t) {
                    throw new CodecException("cannot read " + type.getName() + "." + components[i].getName(), t);
                }
                if (v == null) throw new NullPointerException(type.getName() + "." + components[i].getName() + " is null");
                codecs[i].encode(v, out);
            }
        }

        @Override
        public R decode(BytesIn in) {
            Object[] args = new Object[codecs.length];
            for (int i = 0; i < codecs.length; i++) args[i] = codecs[i].decode(in);
            try {
                return type.cast(constructor.invokeExact(args));
            } catch (Throwable t) {
                throw new CodecException("cannot construct " + type.getName() + ": " + t, t);
            }
        }
    }
}
