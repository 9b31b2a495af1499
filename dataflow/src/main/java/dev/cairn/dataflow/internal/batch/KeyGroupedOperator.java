package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.internal.operators.StreamOperator;

/**
 * A batch operator that holds one key's records (or their fold) and emits its result when the
 * key ends: at {@link #endKey}, and, for the last key, before the final watermark passes (so that
 * operators after it see the result in time) or at the latest when it finishes.
 */
abstract class KeyGroupedOperator<O> extends StreamOperator<O> implements KeyGrouped {
    /** Emits the current key's result, if a key is open, and closes it. */
    abstract void emitCurrent() throws Exception;

    @Override
    public final void endKey() throws Exception {
        emitCurrent();
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        if (watermark == Long.MAX_VALUE) emitCurrent();
        super.processWatermark(watermark);
    }

    @Override
    public void finish() throws Exception {
        emitCurrent();
    }
}
