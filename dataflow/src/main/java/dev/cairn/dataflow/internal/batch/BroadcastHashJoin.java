package dev.cairn.dataflow.internal.batch;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An inner or left outer join whose right side is small enough to send whole to every task of
 * the left side's stage (the planner decides, from the right side's input size): the right
 * records are loaded into a hash table by the encoding of their key ({@link #build}), then each
 * left record, as it streams by in its own stage, is paired with its key's right records. The
 * left side needs no shuffle and no sort.
 */
final class BroadcastHashJoin<K, L, R, O> extends StreamOperator<O> implements OneInputOperator<L> {
    private final SortedCoGroup.Factory<K, L, R, O> join;
    private final Map<ByteBuffer, List<R>> table = new HashMap<>();
    private final BytesOut key = new BytesOut(64);

    BroadcastHashJoin(SortedCoGroup.Factory<K, L, R, O> join) {
        if (join.pairs() == null) throw new IllegalArgumentException("a co-group cannot run as a hash join");
        this.join = join;
    }

    /** Adds a right record to the table. */
    void build(R record) throws Exception {
        table.computeIfAbsent(encode(join.rightKey().getKey(record)), k -> new ArrayList<>(1))
                .add(record);
    }

    @Override
    public void processElement(L value, long timestamp) throws Exception {
        List<R> matches = table.get(encode(join.leftKey().getKey(value)));
        if (matches == null) {
            if (join.leftOuter()) output.emit(join.pairs().join(value, null), timestamp);
            return;
        }
        for (R r : matches) output.emit(join.pairs().join(value, r), timestamp);
    }

    private ByteBuffer encode(K k) {
        key.reset();
        join.keyCodec().encode(k, key);
        return ByteBuffer.wrap(key.toByteArray());
    }
}
