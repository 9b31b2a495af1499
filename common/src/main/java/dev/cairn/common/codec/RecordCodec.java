package dev.cairn.common.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A record as its components in declaration order, each with the codec for its type. Equal to
 * any other codec of the same record class.
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

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

    private record Component(String name, Codec<Object> codec, MethodHandle getter) {}

    private final Class<R> type;
    private final Component[] components;
    /** The canonical constructor, taking the components as one Object[]. */
    private final MethodHandle constructor;

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
        components = new Component[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
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
                getter = lookup.unreflect(rc.getAccessor()).asType(GETTER);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw inaccessible(e);
            }
            components[i] = new Component(rc.getName(), (Codec<Object>) codec, getter);
        }
        enclosing.remove(enclosing.size() - 1);
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            constructor = lookup.unreflectConstructor(ctor)
                    .asSpreader(Object[].class, rcs.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(e);
        }
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
        for (Component c : components) {
            Object v;
            try {
                v = c.getter.invokeExact((Object) value);
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                throw new CodecException("cannot read " + type.getName() + "." + c.name + ": " + t, t);
            }
            if (v == null) throw new NullPointerException(type.getName() + "." + c.name + " is null");
            c.codec.encode(v, out);
        }
    }

    @Override
    public R decode(BytesIn in) {
        Object[] args = new Object[components.length];
        for (int i = 0; i < args.length; i++) args[i] = components[i].codec.decode(in);
        try {
            return type.cast(constructor.invokeExact(args));
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            // The canonical constructor may validate; decoded values it rejects are corrupt input.
            throw new CodecException("cannot construct " + type.getName() + " from decoded components: " + t, t);
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
