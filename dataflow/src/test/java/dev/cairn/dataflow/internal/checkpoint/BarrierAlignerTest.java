package dev.cairn.dataflow.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BarrierAlignerTest {
    private final List<String> seen = new ArrayList<>();
    private final BarrierAligner.Handler handler = new BarrierAligner.Handler() {
        @Override
        public void process(ChannelEvent event) {
            seen.add(
                    switch (event) {
                        case ChannelEvent.RecordBatch b -> "r" + b.channel() + ":" + b.values()[0];
                        case ChannelEvent.Watermark w -> "w" + w.channel() + ":" + w.watermark();
                        case ChannelEvent.EndOfPartition e -> "end" + e.channel();
                        default -> event.toString();
                    });
        }

        @Override
        public void aligned(long checkpointId, long timestamp) {
            seen.add("snapshot " + checkpointId);
        }

        @Override
        public void declined(long checkpointId, String reason) {
            seen.add("declined " + checkpointId);
        }
    };

    private static ChannelEvent record(int channel, Object value) {
        return new ChannelEvent.RecordBatch(channel, new Object[] {value}, new long[] {0}, 1);
    }

    private static ChannelEvent barrier(int channel, long id) {
        return new ChannelEvent.Barrier(channel, id, 0);
    }

    @Test
    void recordsAfterABarrierWaitOnTheirChannelUntilTheSnapshot() throws Exception {
        BarrierAligner aligner = new BarrierAligner(2, 100);
        aligner.accept(record(0, "a"), handler);
        aligner.accept(barrier(0, 1), handler);
        aligner.accept(record(0, "b"), handler); // after barrier 1 on channel 0: held
        aligner.accept(new ChannelEvent.Watermark(0, 5), handler); // held too, in order
        aligner.accept(record(1, "c"), handler); // channel 1 still before its barrier
        assertThat(aligner.isBlocked(0)).isTrue();
        assertThat(aligner.heldRecords()).isEqualTo(1);
        assertThat(seen).containsExactly("r0:a", "r1:c");
        aligner.accept(barrier(1, 1), handler);
        assertThat(seen).containsExactly("r0:a", "r1:c", "snapshot 1", "r0:b", "w0:5");
        assertThat(aligner.pendingCheckpoint()).isEqualTo(-1);
    }

    @Test
    void aHeldBarrierOfTheNextCheckpointBlocksAgainAfterTheReplay() throws Exception {
        BarrierAligner aligner = new BarrierAligner(2, 100);
        aligner.accept(barrier(0, 1), handler);
        aligner.accept(record(0, "x"), handler);
        aligner.accept(barrier(0, 2), handler);
        aligner.accept(record(0, "y"), handler);
        aligner.accept(barrier(1, 1), handler);
        assertThat(seen).containsExactly("snapshot 1", "r0:x");
        assertThat(aligner.pendingCheckpoint()).isEqualTo(2);
        aligner.accept(barrier(1, 2), handler);
        assertThat(seen).containsExactly("snapshot 1", "r0:x", "snapshot 2", "r0:y");
    }

    @Test
    void anEndedChannelCountsAsAligned() throws Exception {
        BarrierAligner aligner = new BarrierAligner(2, 100);
        aligner.accept(barrier(0, 1), handler);
        aligner.accept(record(0, "held"), handler);
        aligner.accept(new ChannelEvent.EndOfPartition(1), handler);
        assertThat(seen).containsExactly("end1", "snapshot 1", "r0:held");
    }

    @Test
    void tooManyHeldRecordsDeclineTheCheckpointAndItsLateBarriersAreIgnored() throws Exception {
        BarrierAligner aligner = new BarrierAligner(2, 1);
        aligner.accept(barrier(0, 1), handler);
        aligner.accept(record(0, "a"), handler);
        aligner.accept(record(0, "b"), handler);
        assertThat(seen).containsExactly("r0:a", "r0:b", "declined 1");
        aligner.accept(barrier(1, 1), handler);
        aligner.accept(record(1, "c"), handler);
        assertThat(seen).containsExactly("r0:a", "r0:b", "declined 1", "r1:c");
        assertThat(aligner.pendingCheckpoint()).isEqualTo(-1);
    }

    @Test
    void aNewerBarrierDeclinesTheOlderAlignment() throws Exception {
        BarrierAligner aligner = new BarrierAligner(2, 100);
        aligner.accept(barrier(0, 1), handler);
        aligner.accept(barrier(1, 2), handler);
        assertThat(seen).containsExactly("declined 1");
        aligner.accept(barrier(0, 2), handler);
        assertThat(seen).containsExactly("declined 1", "snapshot 2");
    }
}
