package dev.cairn.dataflow.internal.runtime;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one subtask has done so far, for {@code job status}: per operator of its chain the records
 * it took in and emitted and the last watermark it emitted, and how long the subtask was blocked
 * handing buffers to its consumers (backpressure). The subtask's thread writes the counters with
 * opaque stores (no fence on the record path); anyone may read them, seeing recent values.
 */
public final class SubtaskMetrics {
    /** One operator of the chain. */
    public static final class Operator {
        final int id;
        final AtomicLong recordsIn = new AtomicLong();
        final AtomicLong recordsOut = new AtomicLong();
        final AtomicLong watermark = new AtomicLong(Long.MIN_VALUE);

        Operator(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public long recordsIn() {
            return recordsIn.getOpaque();
        }

        public long recordsOut() {
            return recordsOut.getOpaque();
        }

        /** The last watermark the operator emitted; {@code Long.MIN_VALUE} before the first. */
        public long watermark() {
            return watermark.getOpaque();
        }
    }

    final List<Operator> operators;
    final AtomicLong blockedNanos = new AtomicLong();

    SubtaskMetrics(List<Integer> chain) {
        this.operators = chain.stream().map(Operator::new).toList();
    }

    /** The chain's operators, head first. */
    public List<Operator> operators() {
        return operators;
    }

    /** Nanoseconds the subtask spent blocked on full output channels. */
    public long blockedNanos() {
        return blockedNanos.getOpaque();
    }

    static void increment(AtomicLong counter, long by) {
        counter.setOpaque(counter.getPlain() + by);
    }
}
