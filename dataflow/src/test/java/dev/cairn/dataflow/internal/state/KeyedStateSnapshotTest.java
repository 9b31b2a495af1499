package dev.cairn.dataflow.internal.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Snapshot then restore gives back every state entry and timer, per key group, whatever the split. */
class KeyedStateSnapshotTest {
    static final int MAX_PARALLELISM = 16;
    static final StateDescriptor.Value<Long> SUM = StateDescriptor.value("sum", Codecs.LONG);
    static final StateDescriptor.List<String> SEEN = StateDescriptor.list("seen", Codecs.STRING);
    static final StateDescriptor.Map<String, Integer> COUNTS = StateDescriptor.map("counts", Codecs.STRING, Codecs.INT);

    private static HeapKeyedStateBackend<String> backend(KeyGroupRange range) {
        HeapKeyedStateBackend<String> b = new HeapKeyedStateBackend<>("op", Codecs.STRING, range, MAX_PARALLELISM);
        b.valueState(SUM);
        b.listState(SEEN);
        b.mapState(COUNTS);
        return b;
    }

    private record Contents(
            Map<String, Long> sums,
            Map<String, List<String>> seen,
            Map<String, Map<String, Integer>> counts,
            Set<TimerQueue.Timer<String, VoidNamespace>> timers) {}

    private static Contents contents(
            HeapKeyedStateBackend<String> b, TimerQueue<String, VoidNamespace> timers, Iterable<String> keys) {
        Map<String, Long> sums = new HashMap<>();
        Map<String, List<String>> seen = new HashMap<>();
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        ValueState<Long> sum = b.valueState(SUM);
        ListState<String> list = b.listState(SEEN);
        MapState<String, Integer> map = b.mapState(COUNTS);
        for (String k : keys) {
            int keyGroup = KeyGroups.keyGroupOf(k, Codecs.STRING, MAX_PARALLELISM, new BytesOut());
            if (!b.keyGroups().contains(keyGroup)) continue;
            b.setCurrentKey(k, keyGroup);
            if (sum.value() != null) sums.put(k, sum.value());
            if (!list.get().isEmpty()) seen.put(k, List.copyOf(list.get()));
            if (!map.entries().isEmpty()) counts.put(k, Map.copyOf(map.entries()));
        }
        return new Contents(sums, seen, counts, new HashSet<>(timers.live()));
    }

    @Property(tries = 100)
    void roundTripsByKeyGroupIntoAnySplitOfTheRange(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 40) Integer> ops,
            @ForAll @IntRange(min = 1, max = MAX_PARALLELISM) int split) {
        KeyGroupRange all = new KeyGroupRange(0, MAX_PARALLELISM - 1);
        HeapKeyedStateBackend<String> b = backend(all);
        TimerQueue<String, VoidNamespace> timers = new TimerQueue<>();
        Set<String> keys = new HashSet<>();
        for (int op : ops) {
            String key = "k" + (op % 7);
            keys.add(key);
            b.setCurrentKey(key);
            switch (op % 4) {
                case 0 ->
                    b.valueState(SUM)
                            .update((b.valueState(SUM).value() == null
                                            ? 0
                                            : b.valueState(SUM).value())
                                    + op);
                case 1 -> b.listState(SEEN).add("v" + op);
                case 2 -> b.mapState(COUNTS).put("m" + (op % 3), op);
                default ->
                    timers.register(new TimerQueue.Timer<>(op, key, b.currentKeyGroup(), VoidNamespace.INSTANCE));
            }
        }
        BytesOut out = new BytesOut();
        KeyedStateSnapshot.write(b, List.of(timers), StateCodecs.VOID, out);
        byte[] bytes = out.toByteArray();

        // Restored into two subtasks that split the key groups at `split`: together they hold everything.
        KeyGroupRange left = new KeyGroupRange(0, split - 1);
        HeapKeyedStateBackend<String> l = backend(left);
        TimerQueue<String, VoidNamespace> lt = new TimerQueue<>();
        KeyedStateSnapshot.read(l, List.of(lt), StateCodecs.VOID, new BytesIn(bytes));
        Contents original = contents(b, timers, keys);
        Contents restoredLeft = contents(l, lt, keys);
        Map<String, Long> sums = new HashMap<>(restoredLeft.sums());
        Set<TimerQueue.Timer<String, VoidNamespace>> ts = new HashSet<>(restoredLeft.timers());
        if (split < MAX_PARALLELISM) {
            KeyGroupRange right = new KeyGroupRange(split, MAX_PARALLELISM - 1);
            HeapKeyedStateBackend<String> r = backend(right);
            TimerQueue<String, VoidNamespace> rt = new TimerQueue<>();
            KeyedStateSnapshot.read(r, List.of(rt), StateCodecs.VOID, new BytesIn(bytes));
            Contents restoredRight = contents(r, rt, keys);
            sums.putAll(restoredRight.sums());
            ts.addAll(restoredRight.timers());
            assertThat(restoredRight.timers()).allMatch(t -> right.contains(t.keyGroup()));
            Map<String, List<String>> seen = new HashMap<>(restoredLeft.seen());
            seen.putAll(restoredRight.seen());
            assertThat(seen).isEqualTo(original.seen());
            Map<String, Map<String, Integer>> counts = new HashMap<>(restoredLeft.counts());
            counts.putAll(restoredRight.counts());
            assertThat(counts).isEqualTo(original.counts());
        } else {
            assertThat(restoredLeft).isEqualTo(original);
        }
        assertThat(sums).isEqualTo(original.sums());
        assertThat(ts).isEqualTo(original.timers());
    }
}
