package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.ValueCombiner;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.operators.Totals;

/**
 * Map-side combining for an exchange into a keyed sum ({@link Totals}), on the encoded values
 * alone: an exchange value is a timestamp, then a total's encoding, whose last eight bytes are
 * the total. The key's bytes are kept from the first value; totals are added and the latest
 * timestamp kept, with nothing decoded.
 */
final class TotalCombiner implements ValueCombiner {
    private final BytesOut first = new BytesOut(64);
    private long total;
    private long timestamp;

    @Override
    public void start(byte[] buf, int off, int len) {
        first.reset();
        first.write(buf, off, len);
        timestamp = timestampAt(buf, off);
        total = Totals.TotalCodec.totalAt(buf, off + len - 8);
    }

    @Override
    public void add(byte[] buf, int off, int len) {
        timestamp = Math.max(timestamp, timestampAt(buf, off));
        total += Totals.TotalCodec.totalAt(buf, off + len - 8);
    }

    @Override
    public void finish(BytesOut out) {
        byte[] b = first.array();
        int n = first.size();
        putLong(b, 0, timestamp);
        Totals.TotalCodec.putTotal(b, n - 8, total);
        out.write(b, 0, n);
    }

    private static long timestampAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
