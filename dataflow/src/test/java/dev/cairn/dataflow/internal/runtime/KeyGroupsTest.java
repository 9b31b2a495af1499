package dev.cairn.dataflow.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {

    @Test
    void subtaskRangesPartitionTheKeyGroupsAsSubtaskForAssignsThem() {
        for (int maxParallelism : new int[] {1, 7, 128, 1000}) {
            for (int parallelism = 1; parallelism <= Math.min(maxParallelism, 33); parallelism++) {
                int covered = 0;
                for (int s = 0; s < parallelism; s++) {
                    KeyGroupRange range = KeyGroupRange.forSubtask(maxParallelism, parallelism, s);
                    assertThat(range.size()).isPositive();
                    covered += range.size();
                    for (int g = range.first(); g <= range.last(); g++) {
                        assertThat(KeyGroups.subtaskFor(g, maxParallelism, parallelism))
                                .isEqualTo(s);
                    }
                }
                assertThat(covered).isEqualTo(maxParallelism);
            }
        }
    }

    @Test
    void keyGroupsDependOnTheEncodingAndSpreadKeys() {
        BytesOut scratch = new BytesOut();
        int[] counts = new int[128];
        for (long k = 0; k < 128_000; k++) counts[KeyGroups.keyGroupOf(k, Codecs.LONG, 128, scratch)]++;
        for (int c : counts) assertThat(c).isBetween(800, 1200);
        assertThat(KeyGroups.keyGroupOf("auction-7", Codecs.STRING, 128, scratch))
                .isEqualTo(KeyGroups.keyGroupOf(new String("auction-7"), Codecs.STRING, 128, new BytesOut()));
    }

    @Test
    void murmur3MatchesTheReferenceVectors() {
        // MurmurHash3_x86_32 reference values (seed 0).
        assertThat(KeyGroups.murmur3(new byte[0], 0, 0, 0)).isEqualTo(0);
        assertThat(KeyGroups.murmur3("hello".getBytes(StandardCharsets.US_ASCII), 0, 5, 0))
                .isEqualTo(0x248bfa47);
        assertThat(KeyGroups.murmur3(
                        "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII), 0, 43, 0))
                .isEqualTo(0x2e4ff723);
    }
}
