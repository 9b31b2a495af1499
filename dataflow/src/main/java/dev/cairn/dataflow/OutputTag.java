package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.operators.CodecReference;
import java.io.Serializable;
import java.util.Objects;

/**
 * Names a side output of an operator (e.g. late elements of a window) and the codec of its
 * records. Two tags with the same id are the same side output. Serializable, so functions may
 * hold tags.
 */
public record OutputTag<T>(String id, Codec<T> codec) implements Serializable {
    public OutputTag {
        Objects.requireNonNull(id, "id");
        codec = CodecReference.of(Objects.requireNonNull(codec, "codec"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputTag<?> other && id.equals(other.id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}
