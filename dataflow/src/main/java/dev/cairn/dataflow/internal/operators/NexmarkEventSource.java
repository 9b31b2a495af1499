package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.nexmark.NexmarkEventGenerator;

/**
 * Generates Nexmark events in the subtask, bounded: subtask i of p emits the lines of events i,
 * i + p, i + 2p, ... in that order. Every subtask's event times advance together, each at most
 * the settings' disorder behind its own largest, so a 5 s bounded-out-of-orderness watermark
 * finds no event late, at any parallelism and interleaving of the subtasks.
 *
 * <p>Checkpointed: its state is the number of the next event it emits; a restored source resumes
 * there and emits exactly the same lines again.
 */
public final class NexmarkEventSource extends StreamOperator<String> implements SourceOperator, CheckpointedOperator {
    /**
     * Makes each subtask's generator.
     *
     * @param maxEventsPerSecond all subtasks together emit at most this many events a second; 0: no limit
     */
    public record Factory(NexmarkEventGenerator.Settings settings, long maxEventsPerSecond) implements OperatorFactory {
        @Override
        public String kind() {
            return "nexmark " + settings.events() + " events, seed " + settings.seed();
        }

        @Override
        public StreamOperator<?> create() {
            return new NexmarkEventSource(settings, maxEventsPerSecond);
        }
    }

    private static final int EVENTS_PER_CALL = 512;
    private final NexmarkEventGenerator.Settings settings;
    private final long maxEventsPerSecond;
    private NexmarkEventGenerator generator;
    private SourceRateLimit rateLimit;
    private long next = -1;
    private long restored = -1;

    private NexmarkEventSource(NexmarkEventGenerator.Settings settings, long maxEventsPerSecond) {
        this.settings = settings;
        this.maxEventsPerSecond = maxEventsPerSecond;
    }

    @Override
    public void open() {
        generator = new NexmarkEventGenerator(settings);
        rateLimit = new SourceRateLimit(maxEventsPerSecond, context, EVENTS_PER_CALL);
        next = restored >= 0 ? restored : context.subtaskIndex();
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeLong(next);
    }

    @Override
    public void restoreState(BytesIn in) {
        restored = in.readLong();
    }

    @Override
    public boolean emitNext() {
        long events = settings.events();
        int step = context.parallelism();
        int allowed = rateLimit.allowance();
        int n = 0;
        for (; n < allowed && next < events; n++, next += step) output.emit(generator.event(next), Output.NO_TIMESTAMP);
        rateLimit.emitted(n);
        return next < events;
    }
}
