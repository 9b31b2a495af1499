package dev.cairn.dataflow.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.LocalDirectoryCheckpointStorage;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
import dev.cairn.dataflow.state.ListState;
import dev.cairn.dataflow.state.MapState;
import dev.cairn.dataflow.state.StateDescriptor;
import dev.cairn.dataflow.state.ValueState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbKeyedStateBackendTest {
    private static final int MAX_PARALLELISM = 128;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, MAX_PARALLELISM - 1);

    @TempDir
    Path dir;

    private final List<RocksDbKeyedStateBackend<?>> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (RocksDbKeyedStateBackend<?> b : opened) b.close();
        for (RocksDbKeyedStateBackend<?> b : opened) assertThat(b.directory()).doesNotExist();
    }

    private RocksDbKeyedStateBackend<String> backend(KeyGroupRange range, CheckpointStorage storage) {
        RocksDbKeyedStateBackend<String> b = new RocksDbKeyedStateBackend<>(
                "op", Codecs.STRING, range, MAX_PARALLELISM, dir.resolve("work"), storage);
        opened.add(b);
        return b;
    }

    /** The handles of one backend on the three kinds of state. */
    private record Handles(ValueState<Long> value, ListState<String> list, MapState<String, Long> map) {
        static Handles of(RocksDbKeyedStateBackend<String> b) {
            return new Handles(
                    b.valueState(StateDescriptor.value("count", Codecs.LONG)),
                    b.listState(StateDescriptor.list("seen", Codecs.STRING)),
                    b.mapState(StateDescriptor.map("byWord", Codecs.STRING, Codecs.LONG)));
        }
    }

    private static void fill(RocksDbKeyedStateBackend<String> b, Handles h, int keys) {
        for (int i = 0; i < keys; i++) {
            b.setCurrentKey("key-" + i);
            h.value().update((long) i);
            h.list().add("a" + i);
            h.list().add("b" + i);
            h.map().put("x", (long) i);
            h.map().put("y", (long) -i);
        }
    }

    private static void check(RocksDbKeyedStateBackend<String> b, Handles h, int keys) {
        for (int i = 0; i < keys; i++) {
            String key = "key-" + i;
            if (!b.keyGroups().contains(keyGroup(key))) continue;
            b.setCurrentKey(key);
            assertThat(h.value().value()).as(key).isEqualTo(i);
            assertThat(h.list().get()).containsExactly("a" + i, "b" + i);
            assertThat(h.map().entries()).containsExactlyInAnyOrderEntriesOf(Map.of("x", (long) i, "y", (long) -i));
        }
    }

    private static int keyGroup(String key) {
        return KeyGroups.keyGroupOf(key, Codecs.STRING, MAX_PARALLELISM, new BytesOut());
    }

    @Test
    void valueListAndMapStateRoundTrip() {
        RocksDbKeyedStateBackend<String> b = backend(ALL, null);
        Handles h = Handles.of(b);
        b.setCurrentKey("k");
        assertThat(h.value().value()).isNull();
        assertThat(h.list().get()).isEmpty();
        assertThat(h.map().entries()).isEmpty();
        h.value().update(7L);
        h.list().add("one");
        h.list().add("two");
        h.map().put("a", 1L);
        h.map().put("b", 2L);
        // Another key, whose encoding has "k" as a prefix, does not see the first key's state.
        b.setCurrentKey("kk");
        assertThat(h.value().value()).isNull();
        assertThat(h.map().entries()).isEmpty();
        h.map().put("c", 3L);
        b.setCurrentKey("k");
        assertThat(h.value().value()).isEqualTo(7L);
        assertThat(h.list().get()).containsExactly("one", "two");
        assertThat(h.map().get("a")).isEqualTo(1L);
        assertThat(h.map().contains("b")).isTrue();
        assertThat(h.map().contains("c")).isFalse();
        assertThat(h.map().entries()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L));
        h.map().remove("a");
        assertThat(h.map().entries()).containsOnlyKeys("b");
        h.list().update(List.of("three"));
        assertThat(h.list().get()).containsExactly("three");
        h.value().update(null);
        assertThat(h.value().value()).isNull();
        h.list().clear();
        h.map().clear();
        assertThat(h.list().get()).isEmpty();
        assertThat(h.map().entries()).isEmpty();
        b.setCurrentKey("kk");
        assertThat(h.map().entries()).containsOnlyKeys("c");
        assertThat(b.entryCount()).isEqualTo(1);
    }

    @Test
    void oneNameIsOneKindOfState() {
        RocksDbKeyedStateBackend<String> b = backend(ALL, null);
        b.valueState(StateDescriptor.value("s", Codecs.LONG));
        assertThatThrownBy(() -> b.listState(StateDescriptor.list("s", Codecs.LONG)))
                .hasMessageContaining("already exists as Value state");
    }

    @Test
    void keysOutsideTheRangeAreRefusedAndGroupsAreContiguous() {
        KeyGroupRange half = KeyGroupRange.forSubtask(MAX_PARALLELISM, 2, 1);
        RocksDbKeyedStateBackend<String> b = backend(half, null);
        Handles h = Handles.of(b);
        int inside = 0;
        for (int i = 0; i < 500; i++) {
            String key = "key-" + i;
            if (half.contains(keyGroup(key))) {
                b.setCurrentKey(key);
                h.value().update(1L);
                inside++;
            } else {
                assertThatThrownBy(() -> b.setCurrentKey(key)).hasMessageContaining("outside its range");
            }
        }
        assertThat(inside).isPositive();
        List<Integer> groups = b.keyGroupsWithState();
        assertThat(groups).isSorted().allMatch(half::contains);
        assertThat(b.entryCount()).isEqualTo(inside);
    }

    @Test
    void snapshotRestoresIntoAFreshBackend() throws Exception {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir.resolve("checkpoints"));
        RocksDbKeyedStateBackend<String> b = backend(ALL, storage);
        fill(b, Handles.of(b), 2_000);
        BytesOut snapshot = new BytesOut();
        b.snapshot(1, snapshot).run();
        assertThat(b.uploadedFiles()).isPositive();
        assertThat(storage.sharedFiles()).hasSize((int) b.uploadedFiles());

        RocksDbKeyedStateBackend<String> restored = backend(ALL, storage);
        Handles h = Handles.of(restored);
        restored.restore(List.of(snapshot.toByteArray()));
        check(restored, h, 2_000);
        assertThat(restored.entryCount()).isEqualTo(b.entryCount());
    }

    @Test
    void withoutSharedStorageTheSnapshotHoldsEveryFile() throws Exception {
        RocksDbKeyedStateBackend<String> b = backend(ALL, null);
        fill(b, Handles.of(b), 300);
        BytesOut snapshot = new BytesOut();
        b.snapshot(1, snapshot).run();
        assertThat(b.uploadedFiles()).isZero();
        RocksDbKeyedStateBackend<String> restored = backend(ALL, null);
        Handles h = Handles.of(restored);
        restored.restore(List.of(snapshot.toByteArray()));
        check(restored, h, 300);
    }

    @Test
    void secondCheckpointUploadsOnlyNewFiles() throws Exception {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir.resolve("checkpoints"));
        RocksDbKeyedStateBackend<String> b = backend(ALL, storage);
        Handles h = Handles.of(b);
        fill(b, h, 1_000);
        BytesOut first = new BytesOut();
        b.snapshot(1, first).run();
        storage.writeState(1, "s", first.toByteArray());
        storage.commitMetadata(1, new byte[0]);
        b.checkpointComplete(1);
        long filesAfterFirst = b.uploadedFiles();
        long bytesAfterFirst = b.uploadedBytes();
        TreeSet<String> sharedAfterFirst = new TreeSet<>(storage.sharedFiles());

        // A little more state: one new SST file (the flushed memtable); the old ones are not sent again.
        b.setCurrentKey("late");
        h.value().update(99L);
        BytesOut second = new BytesOut();
        b.snapshot(2, second).run();
        storage.writeState(2, "s", second.toByteArray());
        storage.commitMetadata(2, new byte[0]);
        b.checkpointComplete(2);
        assertThat(b.uploadedFiles() - filesAfterFirst).isEqualTo(1);
        assertThat(b.uploadedBytes() - bytesAfterFirst).isLessThan(bytesAfterFirst);
        assertThat(storage.sharedFiles()).containsAll(sharedAfterFirst).hasSize(sharedAfterFirst.size() + 1);

        // Dropping checkpoint 1 keeps every file checkpoint 2 names; checkpoint 2 restores alone.
        storage.discard(1);
        assertThat(storage.sharedFiles()).containsAll(sharedAfterFirst);
        RocksDbKeyedStateBackend<String> restored = backend(ALL, storage);
        Handles r = Handles.of(restored);
        restored.restore(List.of(second.toByteArray()));
        check(restored, r, 1_000);
        restored.setCurrentKey("late");
        assertThat(r.value().value()).isEqualTo(99L);

        // Dropping checkpoint 2 too leaves no shared file behind.
        storage.discard(2);
        assertThat(storage.sharedFiles()).isEmpty();
    }

    @Test
    void sharedFilesOfAnAbortedCheckpointAreSwept() throws Exception {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir.resolve("checkpoints"));
        RocksDbKeyedStateBackend<String> b = backend(ALL, storage);
        fill(b, Handles.of(b), 100);
        b.snapshot(1, new BytesOut()).run();
        assertThat(storage.sharedFiles()).isNotEmpty();
        storage.discard(1);
        assertThat(storage.sharedFiles()).isEmpty();
        assertThat(Files.list(dir.resolve("checkpoints"))
                        .map(p -> p.getFileName().toString()))
                .containsOnly("shared");
    }

    @Test
    void anUploadInFlightOutlivesCloseAndCleansUp() throws Exception {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir.resolve("checkpoints"));
        RocksDbKeyedStateBackend<String> b = backend(ALL, storage);
        fill(b, Handles.of(b), 100);
        BytesOut snapshot = new BytesOut();
        var upload = b.snapshot(1, snapshot);
        assertThat(b.uploadedFiles()).isZero();
        b.close();
        assertThat(b.directory().resolve("chk-1")).isDirectory();
        upload.run();
        assertThat(b.uploadedFiles()).isPositive();
        assertThat(b.directory()).doesNotExist();
        RocksDbKeyedStateBackend<String> restored = backend(ALL, storage);
        Handles h = Handles.of(restored);
        restored.restore(List.of(snapshot.toByteArray()));
        check(restored, h, 100);
    }

    @Test
    void restoreKeepsOnlyTheKeyGroupsItOwns() throws Exception {
        LocalDirectoryCheckpointStorage storage = new LocalDirectoryCheckpointStorage(dir.resolve("checkpoints"));
        // Two old subtasks (1 -> 2 ... and back): write with parallelism 2, restore at 3 and at 1.
        List<byte[]> snapshots = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            KeyGroupRange range = KeyGroupRange.forSubtask(MAX_PARALLELISM, 2, s);
            RocksDbKeyedStateBackend<String> b = backend(range, storage);
            Handles h = Handles.of(b);
            for (int i = 0; i < 3_000; i++) {
                String key = "key-" + i;
                if (!range.contains(keyGroup(key))) continue;
                b.setCurrentKey(key);
                h.value().update((long) i);
                h.list().add("a" + i);
                h.list().add("b" + i);
                h.map().put("x", (long) i);
                h.map().put("y", (long) -i);
            }
            BytesOut out = new BytesOut();
            b.snapshot(1, out).run();
            snapshots.add(out.toByteArray());
        }
        long total = 0;
        for (int s = 0; s < 3; s++) {
            KeyGroupRange range = KeyGroupRange.forSubtask(MAX_PARALLELISM, 3, s);
            RocksDbKeyedStateBackend<String> r = backend(range, storage);
            Handles h = Handles.of(r);
            r.restore(snapshots);
            assertThat(r.keyGroupsWithState()).allMatch(range::contains);
            check(r, h, 3_000);
            total += r.entryCount();
        }
        RocksDbKeyedStateBackend<String> one = backend(ALL, storage);
        Handles h = Handles.of(one);
        one.restore(snapshots);
        check(one, h, 3_000);
        assertThat(one.entryCount()).isEqualTo(total).isEqualTo(3_000L * 4);
    }
}
