package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.operators.SourceOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
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
 */
final class SubtaskTask implements Runnable {
    /** How long an idle subtask waits on its gate before looking at the clock again: liveness only, decides nothing. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final List<StreamOperator<?>> operators;
    private final InputGate gate;
    private final InputHandler[] handlers;
    private final int[] channelInputs;
    private final List<ExchangeWriter<?>> writers;
    private final Clock clock;
    private final FailureListener failures;
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
            FailureListener failures) {
        this.name = name;
        this.operators = operators;
        this.gate = gate;
        this.handlers = handlers;
        this.channelInputs = channelInputs;
        this.writers = writers;
        this.clock = clock;
        this.failures = failures;
    }

    String name() {
        return name;
    }

    @Override
    public void run() {
        try {
            try {
                for (int i = operators.size() - 1; i >= 0; i--) {
                    StreamOperator<?> op = operators.get(i);
                    named(op, op::open);
                }
                if (gate == null) runSource();
                else runConsumer();
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
            more = namedTest(head, source::emitNext);
            if (tick()) {
                // A source never waits on a gate: flush its partial batches once per clock tick instead.
                for (ExchangeWriter<?> w : writers) w.flushAll();
            }
        }
        named(head, () -> head.processWatermark(Long.MAX_VALUE));
    }

    private void runConsumer() throws Exception {
        StreamOperator<?> head = operators.get(0);
        WatermarkTracker tracker = new WatermarkTracker(channelInputs.length);
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
            if (event != null) {
                boolean wasIdle = tracker.isIdle();
                long advanced = switch (event) {
                    case ChannelEvent.RecordBatch batch -> {
                        InputHandler handler = handlers[channelInputs[batch.channel()]];
                        for (int i = 0; i < batch.size; i++)
                            InputHandler.deliver(handler, head, batch.values[i], batch.timestamps[i]);
                        yield Long.MIN_VALUE;
                    }
                    case ChannelEvent.Watermark w -> tracker.onWatermark(w.channel(), w.watermark());
                    case ChannelEvent.Idleness i -> tracker.onIdleness(i.channel(), i.idle());
                    case ChannelEvent.EndOfPartition end -> tracker.onEnd(end.channel());
                };
                if (tracker.isIdle() != wasIdle) head.processIdleness(!wasIdle);
                if (advanced != Long.MIN_VALUE) named(head, () -> head.processWatermark(advanced));
            }
            tick();
        }
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
