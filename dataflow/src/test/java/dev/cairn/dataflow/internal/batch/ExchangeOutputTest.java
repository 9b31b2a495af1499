package dev.cairn.dataflow.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.graph.Partitioning;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ExchangeOutputTest {
    /** What a task's partitioned output received: (partition, key bytes, value bytes). */
    static final class Recorded implements PartitionedOutput {
        final List<Object[]> added = new ArrayList<>();

        @Override
        public int partitions() {
            return 3;
        }

        @Override
        public void add(int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valueOff, int valueLen) {
            added.add(new Object[] {
                partition,
                Arrays.copyOfRange(key, keyOff, keyOff + keyLen),
                Arrays.copyOfRange(value, valueOff, valueOff + valueLen)
            });
        }

        @Override
        public long records() {
            return added.size();
        }
    }

    @Test
    void preAggregationPassesNewKeysThroughAFullTableAndKeepsEachReductionUnderItsFirstKey() throws Exception {
        // Key: n % 100; the reduction (a sum) selects another key, so it must be written under the first's.
        Recorded out = new Recorded();
        ExchangeOutput<Long> x = new ExchangeOutput<>(
                5, new Partitioning.KeyGroupHash<Long, Long>(n -> n % 100, Codecs.LONG), Codecs.LONG, 128, 0, out);
        x.preAggregate(Long::sum, 8);
        Random random = new Random(9);
        Map<Long, Long> sums = new TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            long n = random.nextInt(1_000_000);
            sums.merge(n % 100, n, Long::sum);
            x.accept(n, i);
        }
        x.finish();

        Map<Long, Long> got = new TreeMap<>();
        for (Object[] a : out.added) {
            byte[] key = (byte[]) a[1];
            long k = Codecs.LONG.decode(new BytesIn(Arrays.copyOf(key, key.length - ExchangeOutput.TAG_BYTES)));
            assertThat(ExchangeOutput.edgeOf(key, 0, key.length)).isEqualTo(5);
            BytesIn value = new BytesIn((byte[]) a[2]);
            value.readLong();
            got.merge(k, Codecs.LONG.decode(value), Long::sum);
        }
        assertThat(got).isEqualTo(sums);
        assertThat(out.added.size())
                .as(
                        "a table of 8 keys emptied whenever a ninth comes: fewer records than the input, more than the keys")
                .isBetween(101, 19_999);
    }
}
