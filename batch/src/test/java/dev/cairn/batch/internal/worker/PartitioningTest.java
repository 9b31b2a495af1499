package dev.cairn.batch.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.internal.sort.MapOutputBuffer;
import dev.cairn.batch.internal.sort.MapOutputFile;
import dev.cairn.common.codec.Codecs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitioningTest {
    @TempDir
    Path dir;

    @Test
    void defaultPartitionerSpreadsKeysEvenlyAndAlwaysSendsAKeyToTheSamePartition() throws Exception {
        int partitions = 7;
        try (MapOutputBuffer buffer = new MapOutputBuffer(1 << 20, partitions, null, dir, "p")) {
            var collector = new MapTaskRunner.Collector<>(Codecs.STRING, Codecs.LONG, null, partitions, buffer);
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 7000; i++) collector.emit("key-" + i, 1L);
            }
            MapOutputFile out = buffer.finish();
            for (MapOutputFile.Segment s : out.segments()) {
                // 14,000 records, 2,000 expected per partition; each key's two copies land together.
                assertThat(s.records()).isBetween(1700L, 2300L);
                assertThat(s.records() % 2).isZero();
            }
        }
    }

    @Test
    void aCustomPartitionerOutOfRangeIsAClearError() throws Exception {
        try (MapOutputBuffer buffer = new MapOutputBuffer(1 << 16, 3, null, dir, "q")) {
            var collector =
                    new MapTaskRunner.Collector<>(Codecs.STRING, Codecs.LONG, (String k, int n) -> n, 3, buffer);
            assertThatThrownBy(() -> collector.emit("a", 1L)).hasMessage("partitioner returned 3 for 3 partitions");
            assertThatThrownBy(() -> collector.emit(null, 1L)).hasMessageContaining("null key");
        }
    }
}
