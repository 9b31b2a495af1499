package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.functions.TimestampExtractor;
import dev.cairn.dataflow.internal.graph.OperatorFactory;

/**
 * Stamps records with their event time and generates the stream's watermarks (see
 * {@link WatermarkGenerator}); watermarks from upstream are ignored except the final one, which
 * marks the end of input. A watermark goes out every {@code watermarkIntervalRecords} records and
 * on processing-time ticks; the clock is read on ticks only, not per record.
 *
 * <p>Not checkpointed, on purpose: after a restore the generator starts with no timestamp seen.
 * Restoring its largest timestamp is not needed for exact results. The sources rewind to the
 * checkpoint, so every record the downstream operators have not seen passes through the generator
 * again and rebuilds its maximum; the watermarks it emits are at most what an uninterrupted run
 * would emit at the same record, so no record becomes late that was not, and no window or timer
 * fires early. They start below the watermark held before the failure, but keyed process and
 * join operators restore theirs and ignore lower ones until the inputs catch up
 * ({@link KeyedCheckpoints}), so nothing fires twice (the window operator restores its watermark
 * but still lets a lower one replace it). What can differ is only the fate of a record further
 * behind an earlier one than the out-of-orderness bound, which a restart may see as not late;
 * whether such a record is late is not reproducible anyway (it depends on when watermarks go out, every
 * {@code watermarkIntervalRecords} records and on clock ticks, and on how parallel sources'
 * channels interleave). Input within the bound, such as NexmarkGen's, has no late records in
 * either run.
 */
public final class TimestampsAndWatermarksOperator<T> extends StreamOperator<T> implements OneInputOperator<T> {
    public record Factory<T>(TimestampExtractor<T> extractor, WatermarkStrategy strategy) implements OperatorFactory {
        @Override
        public String kind() {
            return "timestamps/watermarks " + strategy;
        }

        @Override
        public StreamOperator<?> create() {
            return new TimestampsAndWatermarksOperator<>(FunctionCopies.copy(extractor), strategy);
        }
    }

    private final TimestampExtractor<T> extractor;
    private final WatermarkStrategy strategy;
    private WatermarkGenerator generator;
    private int sinceEmit;
    private long recordsSinceTick;
    private int interval;
    private long lastTick;

    TimestampsAndWatermarksOperator(TimestampExtractor<T> extractor, WatermarkStrategy strategy) {
        this.extractor = extractor;
        this.strategy = strategy;
    }

    @Override
    public void open() {
        lastTick = context.clock().millis();
        generator = new WatermarkGenerator(strategy, lastTick);
        interval = context.watermarkIntervalRecords();
    }

    @Override
    public void processElement(T value, long ignoredTimestamp) {
        long timestamp = extractor.extractTimestamp(value);
        if (generator.isIdle()) {
            generator.onEvent(timestamp, lastTick);
            output.emitIdleness(false);
        } else {
            generator.onEvent(timestamp);
        }
        recordsSinceTick++;
        output.emit(value, timestamp);
        if (++sinceEmit >= interval) {
            sinceEmit = 0;
            emitWatermark();
        }
    }

    private void emitWatermark() {
        long watermark = generator.nextWatermark();
        if (watermark != Long.MIN_VALUE) {
            currentWatermark = watermark;
            output.emitWatermark(watermark);
        }
    }

    @Override
    public void onProcessingTime(long now) {
        if (recordsSinceTick > 0) {
            // Records arrived since the last tick: the subtask is active.
            generator.onEvent(Long.MIN_VALUE, now);
            recordsSinceTick = 0;
        }
        lastTick = now;
        sinceEmit = 0;
        emitWatermark();
        if (generator.checkIdle(now)) output.emitIdleness(true);
    }

    @Override
    public void processWatermark(long watermark) {
        if (watermark == Long.MAX_VALUE) {
            currentWatermark = watermark;
            output.emitWatermark(watermark);
        }
    }
}
