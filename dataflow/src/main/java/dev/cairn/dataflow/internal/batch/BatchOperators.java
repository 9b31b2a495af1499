package dev.cairn.dataflow.internal.batch;

import dev.cairn.dataflow.functions.TimestampExtractor;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.operators.KeyedProcessOperator;
import dev.cairn.dataflow.internal.operators.OneInputOperator;
import dev.cairn.dataflow.internal.operators.RollingAggregation;
import dev.cairn.dataflow.internal.operators.SinkOperator;
import dev.cairn.dataflow.internal.operators.StreamOperator;
import dev.cairn.dataflow.internal.operators.TimestampsAndWatermarksOperator;
import dev.cairn.dataflow.internal.operators.TransactionalFileSink;

/**
 * Where batch mode runs an operator differently from a stream. On bounded input the whole input
 * is there at once, so event time needs only one watermark, the final one, and a keyed reduce or
 * aggregate has one result per key: the batch forms below replace the stream forms when a
 * program is planned. Every other operator runs as in a stream, its windows and timers firing
 * at the final watermark; no record is late, since no watermark passes before the end.
 */
final class BatchOperators {
    private BatchOperators() {}

    /** The factory batch mode uses in place of {@code factory}: a batch form, or the factory itself. */
    static OperatorFactory substitute(OperatorFactory factory) {
        if (factory instanceof TimestampsAndWatermarksOperator.Factory<?> f) return new TimestampsOnly<>(f.extractor());
        if (factory instanceof SortedCoGroup.Factory<?, ?, ?, ?> join) return new SortedJoin(join);
        if (factory instanceof SortedPassThrough.Factory sort) return new Sorted(sort);
        if (factory instanceof SortedGroup.Factory<?, ?, ?> group) return new Grouped(group);
        if (factory instanceof KeyedProcessOperator.Factory<?, ?, ?> keyed) {
            if (keyed.function() instanceof RollingAggregation.Reducing<?, ?> r) return reduce(keyed, r);
            if (keyed.function() instanceof RollingAggregation.Aggregating<?, ?, ?, ?> a) return aggregate(keyed, a);
            if (keyed.function() instanceof RollingAggregation.FirstOfKey<?, ?>) return firstOfKey(keyed);
        }
        return factory;
    }

    /** The directory a sink writes its text files into, if it is one of the text file sinks; else null. */
    static String textSinkDirectory(OperatorFactory factory) {
        if (factory instanceof SinkOperator.TextFileFactory<?> f) return f.directory();
        if (factory instanceof TransactionalFileSink.Factory<?> f) return f.directory();
        return null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the keyed operator and its function share K and T
    private static OperatorFactory reduce(
            KeyedProcessOperator.Factory<?, ?, ?> keyed, RollingAggregation.Reducing<?, ?> r) {
        return new SortedAggregation.ReduceFactory(keyed.keySelector(), r.function());
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // as above
    private static OperatorFactory firstOfKey(KeyedProcessOperator.Factory<?, ?, ?> keyed) {
        return new SortedAggregation.ReduceFactory(keyed.keySelector(), new KeepFirst<>());
    }

    /** A reduce that keeps a key's first record: distinct, folded before the shuffle too. */
    static final class KeepFirst<T> implements dev.cairn.dataflow.functions.ReduceFunction<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public T reduce(T first, T again) {
            return first;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // as above
    private static OperatorFactory aggregate(
            KeyedProcessOperator.Factory<?, ?, ?> keyed, RollingAggregation.Aggregating<?, ?, ?, ?> a) {
        return new SortedAggregation.AggregateFactory(keyed.keySelector(), a.function());
    }

    /** The unwindowed join, which only batch mode runs: its input comes sorted by key. */
    record SortedJoin(SortedCoGroup.Factory<?, ?, ?, ?> join) implements OperatorFactory {
        @Override
        public String kind() {
            return "sort-merge join";
        }

        @Override
        public StreamOperator<?> create() {
            return join.createSorted();
        }
    }

    /** A keyed group function, which only batch mode runs: its input comes key by key. */
    record Grouped(SortedGroup.Factory<?, ?, ?> group) implements OperatorFactory {
        @Override
        public String kind() {
            return group.kind();
        }

        @Override
        public StreamOperator<?> create() {
            return group.createSorted();
        }
    }

    /** A sort's or top N's operator, which only batch mode runs: its input comes in key order. */
    record Sorted(SortedPassThrough.Factory sort) implements OperatorFactory {
        @Override
        public String kind() {
            return sort.kind();
        }

        @Override
        public StreamOperator<?> create() {
            return sort.createSorted();
        }

        long limit() {
            return sort.limit();
        }
    }

    /** Timestamps from the program's extractor, and no watermark before the final one. */
    record TimestampsOnly<T>(TimestampExtractor<T> extractor) implements OperatorFactory {
        @Override
        public String kind() {
            return "timestamps";
        }

        @Override
        public StreamOperator<?> create() {
            return new TimestampsOnlyOperator<>(extractor);
        }
    }

    private static final class TimestampsOnlyOperator<T> extends StreamOperator<T> implements OneInputOperator<T> {
        private final TimestampExtractor<T> extractor;

        TimestampsOnlyOperator(TimestampExtractor<T> extractor) {
            this.extractor = extractor;
        }

        @Override
        public void processElement(T value, long ignoredTimestamp) {
            output.emit(value, extractor.extractTimestamp(value));
        }
    }
}
