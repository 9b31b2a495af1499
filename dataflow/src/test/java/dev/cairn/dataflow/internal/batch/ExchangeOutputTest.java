package dev.cairn.dataflow.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.stage.PartitionedOutput;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Total;
import dev.cairn.dataflow.Utf8;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.operators.Totals;
import dev.cairn.dataflow.internal.runtime.KeyGroups;
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

    @Test
    void aSumAddsUpTotalsPerEncodedKeyAndWritesWhatAFullTableCannotHoldAsTotals() throws Exception {
        Recorded out = new Recorded();
        Codec<Total<Utf8>> codec = Total.codec(Utf8.CODEC);
        ExchangeOutput<Total<Utf8>> x = new ExchangeOutput<>(
                3, new Partitioning.KeyGroupHash<Total<Utf8>, Utf8>(Total::key, Utf8.CODEC), codec, 128, 0, out);
        assertThat(ExchangeOutput.carriesTotals(codec, new Totals.Add<Utf8>())).isTrue();
        assertThat(ExchangeOutput.carriesTotals(Codecs.LONG, new Totals.Add<Utf8>()))
                .isFalse();
        x.preSum(8, 1 << 10);
        Random random = new Random(12);
        Map<String, Long> sums = new TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            String k = "k" + (int) (Math.pow(random.nextDouble(), 3) * 100) + (i % 7 == 0 ? "ü" : "");
            long v = random.nextInt(100) - 30;
            sums.merge(k, v, Long::sum);
            x.accept(new Total<>(Utf8.of(k), v), i);
        }
        x.finish();

        Map<String, Long> got = new TreeMap<>();
        for (Object[] a : out.added) {
            byte[] key = (byte[]) a[1];
            assertThat(ExchangeOutput.edgeOf(key, 0, key.length)).isEqualTo(3);
            Utf8 k = Utf8.CODEC.decode(new BytesIn(Arrays.copyOf(key, key.length - ExchangeOutput.TAG_BYTES)));
            int group = KeyGroups.keyGroupOfEncoded(key, 0, key.length - ExchangeOutput.TAG_BYTES, 128);
            assertThat(a[0]).as("partition of %s", k).isEqualTo(KeyGroups.subtaskFor(group, 128, 3));
            BytesIn value = new BytesIn((byte[]) a[2]);
            assertThat(value.readLong()).isBetween(0L, 19_999L);
            Total<Utf8> total = codec.decode(value);
            assertThat(total.key()).isEqualTo(k);
            got.merge(k.toString(), total.total(), Long::sum);
        }
        assertThat(got).isEqualTo(sums);
        assertThat(out.added.size())
                .as("the 8 first keys summed in the table, the others' records written as they come")
                .isBetween(sums.size(), 19_000);
    }
}
