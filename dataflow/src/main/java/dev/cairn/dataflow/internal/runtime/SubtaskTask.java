package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import dev.cairn.dataflow.internal.checkpoint.BarrierAligner;
import dev.cairn.dataflow.internal.operators.CheckpointedOperator;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.SourceOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One subtask of one chain, run by one thread: the chain's operators (head first, in topological
 * order), the gate feeding the head (none for a source) and the writers of the chain's outgoing
 * exchanges. It owns all of them; nothing else touches them while it runs.
 *
 * <p>Loop: take an event from the gate; a batch goes record by record into the head (and on
 * through the chain as direct calls); a watermark, idleness change or end updates the
 * {@link WatermarkTracker} and, when the combined watermark advances, the head processes it.
 * When the gate is empty the writers flush their partial batches, so records do not wait for a
 * full batch (a source chain, which has no gate, flushes on every clock tick). The processing-time clock is read after every event; when it has moved, every
 * operator sees the new time. When every channel has ended the operators finish, head first,
 * and the writers send the end downstream.
 *
 * <p>Checkpoints (when {@code checkpoints} is set): the operators restore their state before
 * they open. A source chain takes the triggers between calls to {@code emitNext}: it snapshots
 * the chain (its read position first) and sends the barrier down every outgoing exchange. A
 * consumer passes the gate's events through a {@link BarrierAligner}; when a barrier is aligned
 * it snapshots the chain and forwards the barrier. The snapshot is encoded on this thread and
 * stored asynchronously by the executor. A source that has emitted everything waits, still
 * taking triggers, until the executor says a checkpoint after its end completed
 * ({@code mayEnd}), and only then ends its partitions: so the final checkpoint covers all output.
 */
final class SubtaskTask implements Runnable {
    /** How long an idle subtask waits on its gate before looking at the clock again: liveness only, decides nothing. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Most records a consumer holds back on blocked channels while aligning barriers; more declines the checkpoint. */
    static final long MAX_HELD_RECORDS = 1 << 20;

    private final String name;
    private final List<StreamOperator<?>> operators;
    private final InputGate gate;
    private final InputHandler[] handlers;
    private final int[] channelInputs;
    private final List<ExchangeWriter<?>> writers;
    private final Clock clock;
    private final FailureListener failures;
    private final SubtaskCheckpoints checkpoints;
    private SubtaskMetrics.Operator headMetrics;
    private long lastTick = Long.MIN_VALUE;

    /** Told of the first exception of a subtask. */
    interface FailureListener {
        void failed(SubtaskTask task, Throwable failure);
    }

    /**
     * @param gate null for a source chain
     * @param handlers per logical input of the head
     * @param channelInputs per gate channel, the logical input it feeds
     */
    SubtaskTask(
            String name,
            List<StreamOperator<?>> operators,
            InputGate gate,
            InputHandler[] handlers,
            int[] channelInputs,
            List<ExchangeWriter<?>> writers,
            Clock clock,
            FailureListener failures,
            SubtaskCheckpoints checkpoints) {
        this.name = name;
        this.operators = operators;
        this.gate = gate;
        this.handlers = handlers;
        this.channelInputs = channelInputs;
        this.writers = writers;
        this.clock = clock;
        this.failures = failures;
        this.checkpoints = checkpoints;
    }

    String name() {
        return name;
    }

    /** Counts the records the head takes from the gate into {@code metrics}. */
    void measure(SubtaskMetrics.Operator metrics) {
        this.headMetrics = metrics;
    }

    @Override
    public void run() {
        try {
            try {
                if (checkpoints != null) for (byte[] state : checkpoints.restored) restore(state);
                for (int i = operators.size() - 1; i >= 0; i--) {
                    StreamOperator<?> op = operators.get(i);
                    named(op, op::open);
                }
                if (gate == null) runSource();
                else runConsumer();
                completions();
                for (StreamOperator<?> op : operators) named(op, op::finish);
                for (ExchangeWriter<?> w : writers) w.end();
            } finally {
                for (StreamOperator<?> op : operators) named(op, op::close);
            }
        } catch (CancelledException e) {
            // Another subtask failed first; the executor reports that one.
        } catch (Throwable t) {
            failures.failed(this, t);
        }
    }

    private void runSource() throws Exception {
        StreamOperator<?> head = operators.get(0);
        SourceOperator source = (SourceOperator) head;
        boolean more = true;
        while (more) {
            if (Thread.currentThread().isInterrupted()) throw new CancelledException(new InterruptedException());
            triggers();
            more = namedTest(head, source::emitNext);
            if (tick()) {
                // A source never waits on a gate: flush its partial batches once per clock tick instead.
                for (ExchangeWriter<?> w : writers) w.flushAll();
            }
            completions();
        }
        named(head, () -> head.processWatermark(Long.MAX_VALUE));
        if (checkpoints == null) return;
        for (ExchangeWriter<?> w : writers) w.flushAll();
        checkpoints.reports.sourceExhausted(checkpoints);
        while (!checkpoints.mayEnd) {
            if (Thread.currentThread().isInterrupted()) throw new CancelledException(new InterruptedException());
            triggers();
            completions();
            // Liveness only: the executor's coordinator decides when the final checkpoint is done.
            java.util.concurrent.locks.LockSupport.parkNanos(POLL_NANOS / 10);
        }
        completions();
    }

    private void triggers() throws Exception {
        if (checkpoints == null) return;
        Long id;
        while ((id = checkpoints.triggers.poll()) != null) snapshot(id, clock.millis());
    }

    private void completions() throws Exception {
        if (checkpoints == null) return;
        Long id;
        while ((id = checkpoints.completions.poll()) != null) {
            long completed = id;
            for (StreamOperator<?> op : operators) {
                if (op instanceof CheckpointedOperator c) named(op, () -> c.checkpointComplete(completed));
            }
        }
    }

    /** Snapshots every operator of the chain, sends the barrier on, and hands the bytes to the executor. */
    private void snapshot(long checkpointId, long timestamp) throws Exception {
        BytesOut out = new BytesOut();
        out.writeInt(operators.size());
        BytesOut one = new BytesOut();
        List<AsyncSnapshotPart> asyncParts = new ArrayList<>();
        for (StreamOperator<?> op : operators) {
            if (op instanceof CheckpointedOperator c) {
                one.reset();
                named(op, () -> c.snapshotState(checkpointId, one));
                AsyncSnapshotPart part = c.takeAsyncPart();
                if (part != null) asyncParts.add(part);
                out.writeInt(one.size());
                out.write(one.array(), 0, one.size());
            } else {
                out.writeInt(-1);
            }
        }
        for (ExchangeWriter<?> w : writers) w.barrier(checkpointId, timestamp);
        checkpoints.reports.snapshotTaken(checkpoints, checkpointId, out.toByteArray(), asyncParts);
    }

    private void restore(byte[] state) throws Exception {
        BytesIn in = new BytesIn(state);
        int count = in.readInt();
        if (count != operators.size()) {
            throw new IllegalStateException("checkpointed state of " + name + " holds " + count
                    + " operators, the chain has " + operators.size() + ": the job changed");
        }
        for (StreamOperator<?> op : operators) {
            int length = in.readInt();
            if (length < 0) continue;
            BytesIn part = new BytesIn(in.array(), in.position(), length);
            in.position(in.position() + length);
            if (!(op instanceof CheckpointedOperator c)) {
                throw new IllegalStateException("operator " + op.name() + " has checkpointed state but keeps none now");
            }
            named(op, () -> c.restoreState(part));
        }
    }

    private void runConsumer() throws Exception {
        StreamOperator<?> head = operators.get(0);
        WatermarkTracker tracker = new WatermarkTracker(channelInputs.length);
        BarrierAligner aligner = new BarrierAligner(channelInputs.length, MAX_HELD_RECORDS);
        BarrierAligner.Handler handler = new BarrierAligner.Handler() {
            @Override
            public void process(ChannelEvent event) throws Exception {
                SubtaskTask.this.process(event, tracker, head);
            }

            @Override
            public void aligned(long checkpointId, long timestamp) throws Exception {
                if (checkpoints != null) snapshot(checkpointId, timestamp);
                else for (ExchangeWriter<?> w : writers) w.barrier(checkpointId, timestamp);
            }

            @Override
            public void declined(long checkpointId, String reason) {
                if (checkpoints != null) checkpoints.reports.declined(checkpoints, checkpointId, reason);
            }
        };
        while (!tracker.allEnded()) {
            ChannelEvent event;
            try {
                event = gate.poll(0);
                if (event == null) {
                    for (ExchangeWriter<?> w : writers) w.flushAll();
                    event = gate.poll(POLL_NANOS);
                }
            } catch (InterruptedException e) {
                throw new CancelledException(e);
            }
            if (event != null) aligner.accept(event, handler);
            completions();
            tick();
        }
    }

    private void process(ChannelEvent event, WatermarkTracker tracker, StreamOperator<?> head) {
        boolean wasIdle = tracker.isIdle();
        long advanced = switch (event) {
            case ChannelEvent.RecordBatch batch -> {
                InputHandler handler = handlers[channelInputs[batch.channel()]];
                if (headMetrics != null) SubtaskMetrics.increment(headMetrics.recordsIn, batch.size);
                for (int i = 0; i < batch.size; i++)
                    InputHandler.deliver(handler, head, batch.values[i], batch.timestamps[i]);
                yield Long.MIN_VALUE;
            }
            case ChannelEvent.Watermark w -> tracker.onWatermark(w.channel(), w.watermark());
            case ChannelEvent.Idleness i -> tracker.onIdleness(i.channel(), i.idle());
            case ChannelEvent.EndOfPartition end -> tracker.onEnd(end.channel());
            case ChannelEvent.Barrier b -> throw new IllegalStateException("the aligner keeps barriers");
        };
        if (tracker.isIdle() != wasIdle) head.processIdleness(!wasIdle);
        if (advanced != Long.MIN_VALUE) named(head, () -> head.processWatermark(advanced));
    }

    /** Tells the operators the time if it has moved since the last tick; returns whether it had. */
    private boolean tick() throws Exception {
        long now = clock.millis();
        if (now == lastTick) return false;
        lastTick = now;
        for (StreamOperator<?> op : operators) named(op, () -> op.onProcessingTime(now));
        return true;
    }

    private interface Call {
        void run() throws Exception;
    }

    private interface BooleanCall {
        boolean run() throws Exception;
    }

    private static void named(StreamOperator<?> op, Call call) {
        try {
            call.run();
        } catch (OperatorFailure | CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailure(op.name(), e);
        }
    }

    private static boolean namedTest(StreamOperator<?> op, BooleanCall call) {
        try {
            return call.run();
        } catch (OperatorFailure | CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailure(op.name(), e);
        }
    }
}
