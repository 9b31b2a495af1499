package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import dev.cairn.dataflow.internal.state.HeapKeyedStateBackend;
import dev.cairn.dataflow.internal.state.KeyedStateSnapshot;
import dev.cairn.dataflow.internal.state.RocksDbKeyedStateBackend;
import dev.cairn.dataflow.internal.state.TimerQueue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpointed state of a keyed operator (keyed process function, window join, interval
 * join): {@code i64 watermark}, then its state tables and timers per key group
 * ({@link KeyedStateSnapshot}).
 *
 * <p>Restoring accepts any number of snapshots: its own subtask's, or, once parallelism can change,
 * those of every old subtask whose key groups overlap the new one's. Each snapshot contributes the
 * key groups in the backend's {@link dev.cairn.dataflow.internal.runtime.KeyGroupRange} and
 * nothing else; the watermark is the least of the snapshots' (a key group taken from a subtask
 * that was behind must not see its records judged late by another's watermark).
 *
 * <p>The watermark is kept so that event time never goes back at a restored operator: its inputs'
 * watermarks start again from the rewound sources, below the restored one, and a record that was
 * late before the failure stays late. The operators therefore advance only on a watermark above
 * the one they hold.
 *
 * <p>Snapshots arrive before {@link StreamOperator#open} (which creates the backend and declares
 * the tables' codecs), so they are copied and applied in {@code open}.
 */
final class KeyedCheckpoints {
    private final List<byte[]> restored = new ArrayList<>();

    /** Writes the watermark and every key group of the backend's range with the given timers. */
    static <K, N> void write(
            long watermark,
            HeapKeyedStateBackend<K> backend,
            List<TimerQueue<K, N>> timers,
            Codec<N> timerNamespace,
            BytesOut out) {
        out.writeLong(watermark);
        KeyedStateSnapshot.write(backend, timers, timerNamespace, out);
    }

    /**
     * Writes the watermark, the RocksDB backend's manifest ({@link RocksDbKeyedStateBackend#snapshot})
     * and the timers per key group ({@link KeyedStateSnapshot} of {@code timerKeys}, a heap backend
     * without tables):
     *
     * <pre>
     * i64 watermark, i32 manifest length, manifest, key-group snapshot of the timers
     * </pre>
     *
     * @return the upload of the manifest's new files, to run before the bytes are stored
     */
    static <K, N> AsyncSnapshotPart writeRocks(
            long checkpointId,
            long watermark,
            RocksDbKeyedStateBackend<K> backend,
            HeapKeyedStateBackend<K> timerKeys,
            List<TimerQueue<K, N>> timers,
            Codec<N> timerNamespace,
            BytesOut out)
            throws IOException {
        out.writeLong(watermark);
        BytesOut manifest = new BytesOut();
        AsyncSnapshotPart upload = backend.snapshot(checkpointId, manifest);
        out.writeInt(manifest.size());
        out.write(manifest.array(), 0, manifest.size());
        KeyedStateSnapshot.write(timerKeys, timers, timerNamespace, out);
        return upload;
    }

    /**
     * Restores what {@link #writeRocks} wrote: the RocksDB state (every snapshot's manifest
     * together, cut to the backend's key groups) and the timers.
     *
     * @return the least watermark of the snapshots, or {@code watermark} if there were none
     */
    <K, N> long restoreRocks(
            RocksDbKeyedStateBackend<K> backend,
            HeapKeyedStateBackend<K> timerKeys,
            List<TimerQueue<K, N>> timers,
            Codec<N> timerNamespace,
            long watermark)
            throws IOException {
        if (restored.isEmpty()) return watermark;
        long least = Long.MAX_VALUE;
        List<byte[]> manifests = new ArrayList<>();
        for (byte[] snapshot : restored) {
            BytesIn in = new BytesIn(snapshot);
            least = Math.min(least, in.readLong());
            int length = in.readInt();
            in.require(length);
            manifests.add(java.util.Arrays.copyOfRange(in.array(), in.position(), in.position() + length));
            in.position(in.position() + length);
            KeyedStateSnapshot.read(timerKeys, timers, timerNamespace, in);
        }
        backend.restore(manifests);
        restored.clear();
        return least;
    }

    /** Keeps a copy of one snapshot, to apply in {@link #restore}. */
    void add(BytesIn in) {
        byte[] copy = new byte[in.remaining()];
        System.arraycopy(in.array(), in.position(), copy, 0, copy.length);
        restored.add(copy);
    }

    /**
     * Restores the key groups the backend owns from every snapshot added, into the backend and the
     * timer queues (tables' codecs declared first), and forgets the snapshots.
     *
     * @return the least watermark of the snapshots, or {@code watermark} if there were none
     */
    <K, N> long restore(
            HeapKeyedStateBackend<K> backend, List<TimerQueue<K, N>> timers, Codec<N> timerNamespace, long watermark) {
        if (restored.isEmpty()) return watermark;
        long least = Long.MAX_VALUE;
        for (byte[] snapshot : restored) {
            BytesIn in = new BytesIn(snapshot);
            least = Math.min(least, in.readLong());
            KeyedStateSnapshot.read(backend, timers, timerNamespace, in);
        }
        restored.clear();
        return least;
    }
}
