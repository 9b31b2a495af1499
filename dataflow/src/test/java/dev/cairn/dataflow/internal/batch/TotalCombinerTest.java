package dev.cairn.dataflow.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.Total;
import dev.cairn.dataflow.Utf8;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TotalCombinerTest {
    private static final Codec<Total<Utf8>> CODEC = Total.codec(Utf8.CODEC);

    /** An exchange value: a timestamp, then the total's encoding, after {@code offset} bytes of other data. */
    private static byte[] value(int offset, long timestamp, String key, long total) {
        BytesOut out = new BytesOut();
        for (int i = 0; i < offset; i++) out.write(0x5a);
        out.writeLong(timestamp);
        CODEC.encode(new Total<>(Utf8.of(key), total), out);
        return out.toByteArray();
    }

    @Test
    void addsEncodedTotalsAndKeepsTheLatestTimestampWithoutDecoding() throws Exception {
        Random random = new Random(8);
        TotalCombiner combiner = new TotalCombiner();
        for (int round = 0; round < 100; round++) {
            String key = "wörd" + round;
            long sum = 0;
            long latest = Long.MIN_VALUE;
            int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                long total = random.nextLong() >> random.nextInt(64);
                long timestamp = random.nextBoolean() ? Long.MIN_VALUE : random.nextLong();
                sum += total;
                latest = Math.max(latest, timestamp);
                int offset = random.nextInt(5);
                byte[] v = value(offset, timestamp, key, total);
                if (i == 0) combiner.start(v, offset, v.length - offset);
                else combiner.add(v, offset, v.length - offset);
            }
            BytesOut out = new BytesOut();
            combiner.finish(out);
            BytesIn in = new BytesIn(out.toByteArray());
            assertThat(in.readLong()).isEqualTo(latest);
            assertThat(CODEC.decode(in)).isEqualTo(new Total<>(Utf8.of(key), sum));
            assertThat(in.remaining()).isZero();
        }
    }
}
