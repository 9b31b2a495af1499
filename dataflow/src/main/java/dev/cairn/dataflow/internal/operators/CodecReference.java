package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import java.io.Serializable;

/**
 * A codec that can travel inside a serialized function: it ships as its {@link Codec#id()} and
 * is resolved again with {@link Codecs#forId} (built-ins and records), unless the codec is itself
 * serializable, in which case it ships as is.
 */
public final class CodecReference<T> implements Codec<T>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final Codec<T> serializable;
    private transient Codec<T> codec;

    private CodecReference(Codec<T> codec) {
        this.id = codec.id();
        this.serializable = codec instanceof Serializable ? codec : null;
        this.codec = codec;
    }

    public static <T> Codec<T> of(Codec<T> codec) {
        return codec instanceof CodecReference<T> ref ? ref : new CodecReference<>(codec);
    }

    /** The codec {@code codec} stands for: itself, unless it is a reference. */
    public static <T> Codec<T> resolve(Codec<T> codec) {
        return codec instanceof CodecReference<T> ref ? ref.codec() : codec;
    }

    @SuppressWarnings("unchecked") // the id was written by a codec of T
    private Codec<T> codec() {
        Codec<T> c = codec;
        if (c == null) {
            c = serializable != null
                    ? serializable
                    : (Codec<T>) Codecs.forId(id, Thread.currentThread().getContextClassLoader());
            codec = c;
        }
        return c;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void encode(T value, BytesOut out) {
        codec().encode(value, out);
    }

    @Override
    public T decode(BytesIn in) {
        return codec().decode(in);
    }
}
