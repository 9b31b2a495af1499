package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.graph.OperatorNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wraps a checkpointed source to inject one failure that a restart must recover from with state:
 * once a subtask has emitted {@code pauseAt} records it emits nothing more until a checkpoint
 * taken since then is complete, and then throws. However fast the machine, the failure comes
 * mid-input and after a checkpoint of everything emitted before it. One failure per
 * {@link #FAILED} reset: the restarted job runs through.
 */
public final class FailAfterCheckpointSource<T> extends StreamOperator<T>
        implements SourceOperator, CheckpointedOperator {
    /** Set by the failure; a test resets it before it runs a job. */
    public static final AtomicBoolean FAILED = new AtomicBoolean();

    public record Factory(OperatorFactory source, long pauseAt) implements OperatorFactory {
        @Override
        public String kind() {
            return source.kind() + ", failing once after a checkpoint";
        }

        @Override
        public StreamOperator<?> create() {
            return new FailAfterCheckpointSource<>(source.create(), pauseAt);
        }
    }

    /** {@code graph} with every source whose factory is a {@code sourceFactory} wrapped. */
    public static LogicalGraph wrapSources(LogicalGraph graph, Class<?> sourceFactory, long pauseAt) {
        List<OperatorNode> nodes = new ArrayList<>();
        for (OperatorNode n : graph.nodes()) {
            nodes.add(
                    sourceFactory.isInstance(n.factory())
                            ? new OperatorNode(
                                    n.id(), n.name(), n.parallelism(), n.inputs(), new Factory(n.factory(), pauseAt))
                            : n);
        }
        return new LogicalGraph(nodes, graph.edges(), graph.maxParallelism(), graph.stateBackend());
    }

    private final StreamOperator<T> source;
    private final long pauseAt;
    private long emitted;
    private long firstCheckpointPaused = -1;
    private boolean checkpointedWhilePaused;

    @SuppressWarnings("unchecked") // the wrapped source's records are this operator's
    private FailAfterCheckpointSource(StreamOperator<?> source, long pauseAt) {
        this.source = (StreamOperator<T>) source;
        this.pauseAt = pauseAt;
    }

    private boolean paused() {
        return emitted >= pauseAt && !FAILED.get();
    }

    @Override
    public void open() throws Exception {
        source.setup(context, new Output<T>() {
            @Override
            public void emit(T value, long timestamp) {
                emitted++;
                output.emit(value, timestamp);
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {
                output.emitSide(tag, value, timestamp);
            }

            @Override
            public void emitWatermark(long watermark) {
                output.emitWatermark(watermark);
            }

            @Override
            public void emitIdleness(boolean idle) {
                output.emitIdleness(idle);
            }
        });
        source.open();
    }

    @Override
    public boolean emitNext() throws Exception {
        if (!paused()) return ((SourceOperator) source).emitNext();
        if (checkpointedWhilePaused && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after checkpoint " + firstCheckpointPaused);
        }
        return true; // nothing now: the runtime takes triggers and completions between calls
    }

    @Override
    public void snapshotState(long checkpointId, BytesOut out) throws Exception {
        if (paused() && firstCheckpointPaused < 0) firstCheckpointPaused = checkpointId;
        ((CheckpointedOperator) source).snapshotState(checkpointId, out);
    }

    @Override
    public void restoreState(BytesIn in) throws Exception {
        ((CheckpointedOperator) source).restoreState(in);
    }

    @Override
    public void checkpointComplete(long checkpointId) throws Exception {
        if (firstCheckpointPaused >= 0 && checkpointId >= firstCheckpointPaused) checkpointedWhilePaused = true;
        ((CheckpointedOperator) source).checkpointComplete(checkpointId);
    }

    @Override
    public void processWatermark(long watermark) throws Exception {
        source.processWatermark(watermark);
    }

    @Override
    public void onProcessingTime(long now) throws Exception {
        source.onProcessingTime(now);
    }

    @Override
    public void finish() throws Exception {
        source.finish();
    }

    @Override
    public void close() throws Exception {
        source.close();
    }
}
