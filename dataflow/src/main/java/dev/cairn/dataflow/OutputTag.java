package dev.cairn.dataflow;

import dev.cairn.common.codec.Codec;
import java.util.Objects;

/**
 * Names a side output of an operator (e.g. late elements of a window) and the codec of its
 * records. Two tags with the same id are the same side output.
 */
public record OutputTag<T>(String id, Codec<T> codec) {
    public OutputTag {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(codec, "codec");
    }
}
