package dev.cairn.dataflow.internal.state;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Codecs of the containers keyed state keeps on the heap, for snapshots. */
public final class StateCodecs {
    private StateCodecs() {}

    /** Writes nothing: every value is {@link VoidNamespace#INSTANCE}. */
    public static final Codec<VoidNamespace> VOID = new Codec<>() {
        @Override
        public String id() {
            return "void-namespace";
        }

        @Override
        public void encode(VoidNamespace value, BytesOut out) {}

        @Override
        public VoidNamespace decode(BytesIn in) {
            return VoidNamespace.INSTANCE;
        }
    };

    /** A mutable list: its size, then its elements. */
    public static <T> Codec<List<T>> list(Codec<T> element) {
        return new Codec<>() {
            @Override
            public String id() {
                return "list(" + element.id() + ")";
            }

            @Override
            public void encode(List<T> value, BytesOut out) {
                out.writeInt(value.size());
                for (T t : value) element.encode(t, out);
            }

            @Override
            public List<T> decode(BytesIn in) {
                int n = in.readInt();
                List<T> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) list.add(element.decode(in));
                return list;
            }
        };
    }

    /** A mutable map: its size, then its entries. */
    public static <MK, MV> Codec<Map<MK, MV>> map(Codec<MK> keys, Codec<MV> values) {
        return new Codec<>() {
            @Override
            public String id() {
                return "map(" + keys.id() + "," + values.id() + ")";
            }

            @Override
            public void encode(Map<MK, MV> value, BytesOut out) {
                out.writeInt(value.size());
                for (Map.Entry<MK, MV> e : value.entrySet()) {
                    keys.encode(e.getKey(), out);
                    values.encode(e.getValue(), out);
                }
            }

            @Override
            public Map<MK, MV> decode(BytesIn in) {
                int n = in.readInt();
                Map<MK, MV> map = new HashMap<>();
                for (int i = 0; i < n; i++) map.put(keys.decode(in), values.decode(in));
                return map;
            }
        };
    }
}
