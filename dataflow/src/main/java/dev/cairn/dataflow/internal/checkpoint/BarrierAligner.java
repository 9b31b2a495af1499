package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Aligns checkpoint barriers across the input channels of one subtask (Chandy–Lamport with
 * FIFO channels, as Flink's aligned barriers). Once barrier N arrives on a channel, that
 * channel's later events — records, watermarks, idleness, its end — are held back, in order,
 * until barrier N has arrived on every channel that has not ended; then the subtask snapshots
 * ({@link Handler#aligned}) and the held events are replayed as if they arrived just now (they
 * may hold barrier N+1, which blocks its channel again).
 *
 * <p>Buffering is in memory and bounded by {@code maxHeldRecords}: an alignment that would hold
 * more is given up — the checkpoint is declined ({@link Handler#declined}), the held events are
 * released, and later barriers of that checkpoint are ignored. There is no spilling and no
 * blocking: a declined checkpoint is cheaper than a stalled pipeline, and the next one usually
 * aligns. A barrier of a newer checkpoint during an alignment declines the older one.
 *
 * <p>Single-threaded: the subtask's thread owns it.
 */
public final class BarrierAligner {
    /** What the subtask does with the events the aligner lets through. */
    public interface Handler {
        /** Process an event now: a record batch, watermark, idleness change or end of a channel. */
        void process(ChannelEvent event) throws Exception;

        /** Barrier {@code checkpointId} arrived on every open channel: snapshot and forward it. */
        void aligned(long checkpointId, long timestamp) throws Exception;

        /** Alignment of {@code checkpointId} was given up; the subtask will not snapshot it. */
        void declined(long checkpointId, String reason) throws Exception;
    }

    private final boolean[] blocked;
    private final boolean[] ended;
    private final long maxHeldRecords;
    private final ArrayDeque<ChannelEvent> held = new ArrayDeque<>();
    private long heldRecords;
    private long pending = -1;
    private long pendingTimestamp;
    private long highestSeen = -1;

    public BarrierAligner(int channels, long maxHeldRecords) {
        if (channels < 1) throw new IllegalArgumentException("channels must be >= 1: " + channels);
        blocked = new boolean[channels];
        ended = new boolean[channels];
        this.maxHeldRecords = maxHeldRecords;
    }

    /** The checkpoint being aligned, or -1. */
    public long pendingCheckpoint() {
        return pending;
    }

    public boolean isBlocked(int channel) {
        return blocked[channel];
    }

    /** Records held back now. */
    public long heldRecords() {
        return heldRecords;
    }

    /** Takes one event from the gate, and passes on what it lets through. */
    public void accept(ChannelEvent event, Handler handler) throws Exception {
        int channel = event.channel();
        if (blocked[channel]) {
            held.add(event);
            if (event instanceof ChannelEvent.RecordBatch batch) heldRecords += batch.size();
            if (heldRecords > maxHeldRecords) {
                long id = pending;
                release(handler);
                handler.declined(id, "alignment would hold more than " + maxHeldRecords + " records");
            }
            return;
        }
        switch (event) {
            case ChannelEvent.Barrier b -> onBarrier(b, handler);
            case ChannelEvent.EndOfPartition e -> {
                ended[channel] = true;
                handler.process(event);
                if (pending >= 0 && allArrived()) complete(handler);
            }
            default -> handler.process(event);
        }
    }

    private void onBarrier(ChannelEvent.Barrier barrier, Handler handler) throws Exception {
        long id = barrier.checkpointId();
        if (id <= highestSeen && id != pending) return; // declined or superseded: ignore its stragglers
        if (id > highestSeen) {
            if (pending >= 0) {
                long old = pending;
                release(handler);
                handler.declined(old, "barrier of newer checkpoint " + id + " arrived first");
            }
            highestSeen = id;
            pending = id;
            pendingTimestamp = barrier.timestamp();
        }
        blocked[barrier.channel()] = true;
        if (allArrived()) complete(handler);
    }

    private boolean allArrived() {
        for (int c = 0; c < blocked.length; c++) if (!blocked[c] && !ended[c]) return false;
        return true;
    }

    private void complete(Handler handler) throws Exception {
        long id = pending;
        long timestamp = pendingTimestamp;
        List<ChannelEvent> replay = unblock();
        handler.aligned(id, timestamp);
        for (ChannelEvent e : replay) accept(e, handler);
    }

    private void release(Handler handler) throws Exception {
        for (ChannelEvent e : unblock()) accept(e, handler);
    }

    private List<ChannelEvent> unblock() {
        List<ChannelEvent> replay = new ArrayList<>(held);
        held.clear();
        heldRecords = 0;
        pending = -1;
        Arrays.fill(blocked, false);
        return replay;
    }
}
