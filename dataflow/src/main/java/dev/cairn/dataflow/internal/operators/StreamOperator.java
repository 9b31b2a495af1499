package dev.cairn.dataflow.internal.operators;

/**
 * A runtime operator instance: one per subtask, driven by one thread. Lifecycle:
 * {@link #setup}, {@link #open}, then records ({@link OneInputOperator}, {@link TwoInputOperator}),
 * {@link #processWatermark} and {@link #onProcessingTime} interleaved, then {@link #finish} once
 * the input has ended (after the final watermark, {@code Long.MAX_VALUE}), and {@link #close}.
 * The watermark an operator receives is already the minimum over all its inputs.
 */
public abstract class StreamOperator<O> {
    protected Output<O> output;
    protected OperatorContext context;
    protected long currentWatermark = Long.MIN_VALUE;

    public final void setup(OperatorContext context, Output<O> output) {
        this.context = context;
        this.output = output;
    }

    public String name() {
        return context.operatorName();
    }

    public void open() throws Exception {}

    /** Advances event time; the default forwards the watermark. Watermarks only increase. */
    public void processWatermark(long watermark) throws Exception {
        currentWatermark = watermark;
        output.emitWatermark(watermark);
    }

    public void processIdleness(boolean idle) {
        output.emitIdleness(idle);
    }

    /** The runtime's processing-time clock reads {@code now}; fire due processing-time timers. */
    public void onProcessingTime(long now) throws Exception {}

    /** The input has ended: flush what is buffered. */
    public void finish() throws Exception {}

    public void close() throws Exception {}
}
