package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.graph.OperatorFactory;

/**
 * Emits the numbers {@code [from, to)}; subtask i of p emits the i-th of p contiguous ranges of
 * about equal length, in order (so a generator's part files hold consecutive rows, as TeraGen's
 * do). Checkpointed: its state is the next number it emits.
 */
public final class SequenceSource extends StreamOperator<Long> implements SourceOperator, CheckpointedOperator {
    /**
     * The source of {@code [from, to)}.
     *
     * @param from the first number
     * @param to one past the last
     */
    public record Factory(long from, long to) implements OperatorFactory {
        public Factory {
            if (to < from) throw new IllegalArgumentException("an empty sequence must not end before it starts");
        }

        @Override
        public String kind() {
            return "sequence [" + from + ", " + to + ")";
        }

        @Override
        public StreamOperator<?> create() {
            return new SequenceSource(from, to);
        }
    }

    private static final int RECORDS_PER_CALL = 256;
    private final long from;
    private final long to;
    private long next;
    private long end;
    private long restored = Long.MIN_VALUE;
    private int restoredParallelism = -1;

    SequenceSource(long from, long to) {
        this.from = from;
        this.to = to;
    }

    @Override
    public void open() {
        int p = context.parallelism();
        int i = context.subtaskIndex();
        if (restoredParallelism >= 0 && restoredParallelism != p)
            throw new IllegalStateException("sequence source " + name() + " ran at parallelism " + restoredParallelism
                    + " and cannot be restored at parallelism " + p);
        long count = to - from;
        long start = from + rangeStart(count, i, p);
        end = from + rangeStart(count, i + 1, p);
        next = restored != Long.MIN_VALUE ? restored : start;
    }

    /** Where range {@code i} of {@code p} starts within {@code [0, count)}: floor(count * i / p), without overflow. */
    static long rangeStart(long count, int i, int p) {
        return count / p * i + count % p * i / p;
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) {
        out.writeInt(context.parallelism());
        out.writeLong(next);
    }

    @Override
    public void restoreState(BytesIn in) {
        restoredParallelism = in.readInt();
        restored = in.readLong();
    }

    @Override
    public boolean emitNext() {
        for (int n = 0; n < RECORDS_PER_CALL && next < end; n++) output.emit(next++, Output.NO_TIMESTAMP);
        return next < end;
    }
}
