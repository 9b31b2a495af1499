package dev.cairn.dataflow.internal.batch;

import dev.cairn.batch.stage.ValueCombiner;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.dataflow.functions.ReduceFunction;

/**
 * Map-side combining for an exchange into a keyed reduce: while the producing stage sorts and
 * spills its output, the records of one key are reduced into one, so the shuffle carries at most
 * one record per key and spill (a word count's shuffle shrinks to its distinct words). Values are
 * exchange values ({@link ExchangeOutput}): a timestamp, kept as the latest, and the record.
 */
final class ReduceCombiner<T> implements ValueCombiner {
    private final Codec<T> codec;
    private final ReduceFunction<T> function;
    private final BytesIn in = new BytesIn();
    private T accumulator;
    private long timestamp;

    ReduceCombiner(Codec<T> codec, ReduceFunction<T> function) {
        this.codec = codec;
        this.function = function;
    }

    @Override
    public void start(byte[] buf, int off, int len) {
        in.reset(buf, off, len);
        timestamp = in.readLong();
        accumulator = codec.decode(in);
    }

    @Override
    public void add(byte[] buf, int off, int len) throws Exception {
        in.reset(buf, off, len);
        timestamp = Math.max(timestamp, in.readLong());
        accumulator = function.reduce(accumulator, codec.decode(in));
    }

    @Override
    public void finish(BytesOut out) {
        out.writeLong(timestamp);
        codec.encode(accumulator, out);
        accumulator = null;
    }
}
