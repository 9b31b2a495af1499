package dev.cairn.dataflow.internal.operators;

import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.FilterFunction;
import dev.cairn.dataflow.functions.FlatMapFunction;
import dev.cairn.dataflow.functions.MapFunction;
import dev.cairn.dataflow.functions.ProcessFunction;
import dev.cairn.dataflow.internal.graph.OperatorFactory;

/** Record-at-a-time operators without state; each keeps the input's timestamp. */
public final class StatelessOperators {
    private StatelessOperators() {}

    public record MapFactory<I, O>(MapFunction<I, O> function) implements OperatorFactory {
        @Override
        public String kind() {
            return "map";
        }

        @Override
        public StreamOperator<?> create() {
            return new MapOperator<>(FunctionCopies.copy(function));
        }
    }

    public record FilterFactory<T>(FilterFunction<T> function) implements OperatorFactory {
        @Override
        public String kind() {
            return "filter";
        }

        @Override
        public StreamOperator<?> create() {
            return new FilterOperator<>(FunctionCopies.copy(function));
        }
    }

    public record FlatMapFactory<I, O>(FlatMapFunction<I, O> function) implements OperatorFactory {
        @Override
        public String kind() {
            return "flatMap";
        }

        @Override
        public StreamOperator<?> create() {
            return new FlatMapOperator<>(FunctionCopies.copy(function));
        }
    }

    public record ProcessFactory<I, O>(ProcessFunction<I, O> function) implements OperatorFactory {
        @Override
        public String kind() {
            return "process " + function.getClass().getSimpleName();
        }

        @Override
        public StreamOperator<?> create() {
            return new ProcessOperator<>(FunctionCopies.copy(function));
        }
    }

    public record UnionFactory<T>() implements OperatorFactory {
        @Override
        public String kind() {
            return "union";
        }

        @Override
        public StreamOperator<?> create() {
            return new UnionOperator<T>();
        }
    }

    static final class MapOperator<I, O> extends StreamOperator<O> implements OneInputOperator<I> {
        private final MapFunction<I, O> function;

        MapOperator(MapFunction<I, O> function) {
            this.function = function;
        }

        @Override
        public void processElement(I value, long timestamp) throws Exception {
            output.emit(function.map(value), timestamp);
        }
    }

    static final class FilterOperator<T> extends StreamOperator<T> implements OneInputOperator<T> {
        private final FilterFunction<T> function;

        FilterOperator(FilterFunction<T> function) {
            this.function = function;
        }

        @Override
        public void processElement(T value, long timestamp) throws Exception {
            if (function.filter(value)) output.emit(value, timestamp);
        }
    }

    /** Its own collector, so a record costs no allocation. */
    static final class FlatMapOperator<I, O> extends StreamOperator<O> implements OneInputOperator<I>, Collector<O> {
        private final FlatMapFunction<I, O> function;
        private long timestamp;

        FlatMapOperator(FlatMapFunction<I, O> function) {
            this.function = function;
        }

        @Override
        public void processElement(I value, long timestamp) throws Exception {
            this.timestamp = timestamp;
            function.flatMap(value, this);
        }

        @Override
        public void collect(O value) {
            output.emit(value, timestamp);
        }
    }

    /** Its own context and collector, so a record costs no allocation. */
    static final class ProcessOperator<I, O> extends StreamOperator<O>
            implements OneInputOperator<I>, ProcessFunction.Context, Collector<O> {
        private final ProcessFunction<I, O> function;
        private long timestamp;

        ProcessOperator(ProcessFunction<I, O> function) {
            this.function = function;
        }

        @Override
        public void processElement(I value, long timestamp) throws Exception {
            this.timestamp = timestamp;
            function.processElement(value, this, this);
        }

        @Override
        public void collect(O value) {
            output.emit(value, timestamp);
        }

        @Override
        public long timestamp() {
            return timestamp;
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            output.emitSide(tag, value, timestamp);
        }
    }

    static final class UnionOperator<T> extends StreamOperator<T> implements OneInputOperator<T> {
        @Override
        public void processElement(T value, long timestamp) {
            output.emit(value, timestamp);
        }
    }
}
