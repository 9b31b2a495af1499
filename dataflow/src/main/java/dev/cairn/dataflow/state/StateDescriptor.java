package dev.cairn.dataflow.state;

import dev.cairn.common.codec.Codec;
import java.util.Objects;

/** Names a piece of keyed state, its kind, and the codecs of what it holds. Plain data. */
public sealed interface StateDescriptor {
    /** Unique per operator. */
    String name();

    static <V> Value<V> value(String name, Codec<V> codec) {
        return new Value<>(name, codec);
    }

    static <V> List<V> list(String name, Codec<V> codec) {
        return new List<>(name, codec);
    }

    static <MK, MV> Map<MK, MV> map(String name, Codec<MK> keyCodec, Codec<MV> valueCodec) {
        return new Map<>(name, keyCodec, valueCodec);
    }

    record Value<V>(String name, Codec<V> codec) implements StateDescriptor {
        public Value {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(codec, "codec");
        }
    }

    record List<V>(String name, Codec<V> codec) implements StateDescriptor {
        public List {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(codec, "codec");
        }
    }

    record Map<MK, MV>(String name, Codec<MK> keyCodec, Codec<MV> valueCodec) implements StateDescriptor {
        public Map {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keyCodec, "keyCodec");
            Objects.requireNonNull(valueCodec, "valueCodec");
        }
    }
}
