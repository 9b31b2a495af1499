package dev.cairn.common.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A record as its components in declaration order, each with the codec for its type. Equal to
 * any other codec of the same record class.
 *
 * <p>Encoding and decoding each run one method handle composed once per record class: the
 * accessors feeding the component writers, and the component readers feeding the canonical
 * constructor. A component of a primitive type is written and read as that primitive, in its
 * built-in codec's format, so a record of longs is encoded and decoded without boxing. A handle
 * per component called in a loop cost a boxed value per component and an uninlinable call each
 * (about a tenth of a Nexmark query's time on a cluster, where every keyed record is encoded and
 * decoded once).
 */
final class RecordCodec<R extends Record> implements Codec<R> {
    // Per class, so that a task resolving its codecs by id does not redo the reflection. The value
    // lives in the Class itself and so does not keep a job's class loader alive.
    private static final ClassValue<RecordCodec<?>> CACHE = new ClassValue<>() {
        @Override
        protected RecordCodec<?> computeValue(Class<?> type) {
            return new RecordCodec<>(type.asSubclass(Record.class), new ArrayList<>());
        }
    };

    private static final MethodType ENCODER = MethodType.methodType(void.class, Object.class, BytesOut.class);
    private static final MethodType DECODER = MethodType.methodType(Object.class, BytesIn.class);

    private final Class<R> type;
    /** {@code (Object record, BytesOut out) void}: writes every component in order. */
    private final MethodHandle encoder;
    /** {@code (BytesIn in) Object}: reads every component in order, then constructs the record. */
    private final MethodHandle decoder;

    @SuppressWarnings("unchecked")
    static <R extends Record> RecordCodec<R> of(Class<R> type) {
        if (type == null) throw new NullPointerException("record type is null");
        if (!type.isRecord()) throw new CodecException(type.getName() + " is not a record");
        return (RecordCodec<R>) CACHE.get(type);
    }

    /** @param enclosing the records whose codecs are being built around this one, to catch cycles */
    @SuppressWarnings("unchecked")
    private RecordCodec(Class<R> type, List<Class<?>> enclosing) {
        this.type = type;
        RecordComponent[] rcs = type.getRecordComponents();
        Class<?>[] types = new Class<?>[rcs.length];
        MethodHandle[] writers = new MethodHandle[rcs.length];
        MethodHandle[] readers = new MethodHandle[rcs.length];
        enclosing.add(type);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (int i = 0; i < rcs.length; i++) {
            RecordComponent rc = rcs[i];
            types[i] = rc.getType();
            Codec<?> codec = componentCodec(rc, enclosing);
            MethodHandle getter;
            try {
                // Records declared in tests or nested in non-public classes are not public; user
                // jobs commonly declare them so, and the unnamed module allows the override.
                rc.getAccessor().setAccessible(true);
                getter = lookup.unreflect(rc.getAccessor());
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw inaccessible(e);
            }
            writers[i] = writer(rc, (Codec<Object>) codec, getter);
            readers[i] = reader(rc.getType(), (Codec<Object>) codec);
        }
        enclosing.remove(enclosing.size() - 1);
        MethodHandle constructor;
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            constructor = lookup.unreflectConstructor(ctor);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
        encoder = sequence(writers);
        decoder = construct(constructor, readers);
    }

    /**
     * {@code (Object record, BytesOut out) void} writing one component: the accessor's value
     * through the component's codec, or for a primitive straight in its built-in codec's format.
     * An accessor that throws fails with a {@link CodecException} naming the component.
     */
    private MethodHandle writer(RecordComponent rc, Codec<Object> codec, MethodHandle accessor) {
        Class<?> t = rc.getType();
        MethodHandle write;
        if (t.isPrimitive()) {
            write = Pieces.PRIMITIVE_WRITERS.get(t); // (BytesOut, t) void
        } else {
            // (BytesOut, Object) void, failing on null as the loop over components did
            write = MethodHandles.insertArguments(
                    Pieces.WRITE_REFERENCE, 0, codec, type.getName() + "." + rc.getName());
            t = Object.class;
        }
        MethodHandle get = accessor.asType(MethodType.methodType(t, Object.class));
        MethodHandle failed = MethodHandles.filterReturnValue(
                MethodHandles.insertArguments(Pieces.READ_FAILED, 0, type.getName() + "." + rc.getName()),
                MethodHandles.throwException(t, CodecException.class));
        get = MethodHandles.catchException(get, Throwable.class, MethodHandles.dropArguments(failed, 1, Object.class));
        // (t, BytesOut) void, then the accessor in front: (Object, BytesOut) void
        MethodHandle swapped =
                MethodHandles.permuteArguments(write, MethodType.methodType(void.class, t, BytesOut.class), 1, 0);
        return MethodHandles.filterArguments(swapped, 0, get);
    }

    /** {@code (BytesIn) t} reading one component of type {@code t}. */
    private static MethodHandle reader(Class<?> t, Codec<Object> codec) {
        if (t.isPrimitive()) return Pieces.PRIMITIVE_READERS.get(t);
        return Pieces.DECODE.bindTo(codec).asType(MethodType.methodType(t, BytesIn.class));
    }

    /** The writers one after the other, in order. */
    private static MethodHandle sequence(MethodHandle[] writers) {
        MethodHandle all = MethodHandles.empty(ENCODER);
        for (int i = writers.length - 1; i >= 0; i--) all = MethodHandles.foldArguments(all, writers[i]);
        return all;
    }

    /**
     * {@code (BytesIn) Object}: the readers in order, then the constructor on what they read. A
     * constructor that throws fails with a {@link CodecException} naming the record.
     */
    private MethodHandle construct(MethodHandle constructor, MethodHandle[] readers) {
        int n = readers.length;
        MethodHandle ctor = constructor.asType(constructor.type().changeReturnType(Object.class));
        MethodHandle failed = MethodHandles.filterReturnValue(
                MethodHandles.insertArguments(Pieces.CONSTRUCT_FAILED, 0, type.getName()),
                MethodHandles.throwException(Object.class, CodecException.class));
        ctor = MethodHandles.catchException(
                ctor,
                Throwable.class,
                MethodHandles.dropArguments(failed, 1, ctor.type().parameterList()));
        // (c1 .. cn, BytesIn) Object; folding reader k in at position k - 1, from the last one back,
        // leaves (BytesIn) Object that runs reader 1 first.
        MethodHandle h = MethodHandles.dropArguments(ctor, n, BytesIn.class);
        for (int k = n; k >= 1; k--) h = MethodHandles.foldArguments(h, k - 1, readers[k - 1]);
        return h.asType(DECODER);
    }

    private Codec<?> componentCodec(RecordComponent rc, List<Class<?>> enclosing) {
        Class<?> t = rc.getType();
        if (!t.isRecord()) {
            try {
                return Codecs.forType(t);
            } catch (CodecException e) {
                throw new CodecException("record " + type.getName() + ": component '" + rc.getName()
                        + "' has unsupported type " + t.getName()
                        + "; supported: String, int, long, double, byte[], boolean, their boxes, and records");
            }
        }
        if (enclosing.contains(t)) {
            throw new CodecException("record " + type.getName() + ": component '" + rc.getName() + "' refers back to "
                    + t.getName() + "; recursive records have no finite encoding");
        }
        try {
            return new RecordCodec<>(t.asSubclass(Record.class), enclosing);
        } catch (CodecException e) {
            throw new CodecException(
                    "record " + type.getName() + ": component '" + rc.getName() + "': " + e.getMessage(), e);
        }
    }

    private CodecException inaccessible(Exception e) {
        return new CodecException(
                "record " + type.getName() + " is not accessible to Cairn (make it public, or open its package): " + e,
                e);
    }

    @Override
    public String id() {
        return "record:" + type.getName();
    }

    @Override
    public void encode(R value, BytesOut out) {
        if (value == null) throw new NullPointerException(type.getName() + " value is null");
        try {
            encoder.invokeExact((Object) value, out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException("cannot encode " + type.getName() + ": " + t, t);
        }
    }

    @Override
    public R decode(BytesIn in) {
        try {
            return type.cast((Object) decoder.invokeExact(in));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CodecException("cannot decode " + type.getName() + ": " + t, t);
        }
    }

    /**
     * The pieces the handles are composed of. Its methods are found by name in the static
     * initializer, which is why nothing calls them directly.
     */
    @SuppressWarnings("UnusedMethod")
    private static final class Pieces {
        private Pieces() {}

        static final MethodHandle WRITE_REFERENCE;
        static final MethodHandle DECODE;
        static final MethodHandle READ_FAILED;
        static final MethodHandle CONSTRUCT_FAILED;
        static final Map<Class<?>, MethodHandle> PRIMITIVE_WRITERS;
        static final Map<Class<?>, MethodHandle> PRIMITIVE_READERS;

        static {
            MethodHandles.Lookup l = MethodHandles.lookup();
            try {
                WRITE_REFERENCE = l.findStatic(
                        Pieces.class,
                        "writeReference",
                        MethodType.methodType(void.class, Codec.class, String.class, BytesOut.class, Object.class));
                DECODE = l.findVirtual(Codec.class, "decode", MethodType.methodType(Object.class, BytesIn.class));
                READ_FAILED = l.findStatic(
                        Pieces.class,
                        "readFailed",
                        MethodType.methodType(CodecException.class, String.class, Throwable.class));
                CONSTRUCT_FAILED = l.findStatic(
                        Pieces.class,
                        "constructFailed",
                        MethodType.methodType(CodecException.class, String.class, Throwable.class));
                Map<Class<?>, MethodHandle> w = new HashMap<>();
                Map<Class<?>, MethodHandle> r = new HashMap<>();
                for (Class<?> t : List.of(long.class, int.class, double.class, boolean.class)) {
                    String name = Character.toUpperCase(t.getName().charAt(0))
                            + t.getName().substring(1);
                    w.put(
                            t,
                            l.findStatic(
                                    Pieces.class,
                                    "write" + name,
                                    MethodType.methodType(void.class, BytesOut.class, t)));
                    r.put(t, l.findStatic(Pieces.class, "read" + name, MethodType.methodType(t, BytesIn.class)));
                }
                PRIMITIVE_WRITERS = Map.copyOf(w);
                PRIMITIVE_READERS = Map.copyOf(r);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private static void writeReference(Codec<Object> codec, String component, BytesOut out, Object value) {
            if (value == null) throw new NullPointerException(component + " is null");
            codec.encode(value, out);
        }

        private static CodecException readFailed(String component, Throwable t) {
            if (t instanceof Error e) throw e;
            return new CodecException("cannot read " + component + ": " + t, t);
        }

        private static CodecException constructFailed(String type, Throwable t) {
            if (t instanceof Error e) throw e;
            // The canonical constructor may validate; decoded values it rejects are corrupt input.
            return new CodecException("cannot construct " + type + " from decoded components: " + t, t);
        }

        // The primitives in the formats of Codecs.LONG, INT, DOUBLE and BOOLEAN, without their boxes.

        private static void writeLong(BytesOut out, long v) {
            out.writeLong(v ^ Long.MIN_VALUE);
        }

        private static long readLong(BytesIn in) {
            return in.readLong() ^ Long.MIN_VALUE;
        }

        private static void writeInt(BytesOut out, int v) {
            out.writeInt(v ^ Integer.MIN_VALUE);
        }

        private static int readInt(BytesIn in) {
            return in.readInt() ^ Integer.MIN_VALUE;
        }

        private static void writeDouble(BytesOut out, double v) {
            // doubleToLongBits (not the Raw variant) maps every NaN to the one canonical NaN.
            long bits = Double.doubleToLongBits(v);
            out.writeLong(bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
        }

        private static double readDouble(BytesIn in) {
            long v = in.readLong();
            return Double.longBitsToDouble(v < 0 ? v ^ Long.MIN_VALUE : ~v);
        }

        private static void writeBoolean(BytesOut out, boolean v) {
            out.write(v ? 1 : 0);
        }

        private static boolean readBoolean(BytesIn in) {
            int b = in.readUnsigned();
            if (b > 1) throw new CodecException("corrupt input: boolean byte " + b + " is neither 0 nor 1");
            return b == 1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordCodec<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return id();
    }
}
