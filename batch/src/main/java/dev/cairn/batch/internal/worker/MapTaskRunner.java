package dev.cairn.batch.internal.worker;

import dev.cairn.batch.Combiner;
import dev.cairn.batch.Emitter;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.Partitioner;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.sort.MapOutputBuffer;
import dev.cairn.batch.internal.sort.MapOutputFile;
import dev.cairn.batch.internal.sort.RawCombiner;
import dev.cairn.common.codec.Bytes;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one map task attempt: reads the split's lines, calls the user's mapper, and turns its
 * output into one sorted, partitioned map output file that reducers fetch.
 *
 * <p>With a combiner, emitted pairs are first folded in a bounded hash table keyed by the typed
 * key (Spark's map-side combine): a word count then sends one record per distinct word and
 * spill rather than one per occurrence through the sort. The table drains into the sort buffer
 * when it reaches its size limit and at the end; the combiner is applied again when sorted runs
 * are spilled and merged, so its results are the same however the table drained.
 */
final class MapTaskRunner {
    private final RunningTask task;
    private final JobResources job;
    private final WorkerSettings settings;

    MapTaskRunner(RunningTask task, JobResources job, WorkerSettings settings) {
        this.task = task;
        this.job = job;
        this.settings = settings;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void run() throws Exception {
        TaskAssignment a = task.assignment;
        JobSpecProto spec = a.getSpec();
        ClassLoader loader = job.loader;
        // The split's own input's mapper; an assignment from a master that predates per-input mappers names none.
        String mapperClass = a.getMapperClass().isEmpty() ? spec.getMapperClass() : a.getMapperClass();
        Mapper<Long, String, Object, Object> mapper = UserCode.create(mapperClass, Mapper.class, loader);
        Codec<Object> keyCodec = (Codec<Object>) Codecs.forId(spec.getMapKeyCodec(), loader);
        Codec<Object> valueCodec = (Codec<Object>) Codecs.forId(spec.getMapValueCodec(), loader);
        Partitioner<Object> partitioner = spec.getPartitionerClass().isEmpty()
                ? null
                : UserCode.create(spec.getPartitionerClass(), Partitioner.class, loader);
        // Two instances: the hash table folds on this thread, spills fold on the spill thread,
        // and a user combiner need not be thread-safe.
        Combiner<Object> combiner = spec.getCombinerClass().isEmpty()
                ? null
                : UserCode.create(spec.getCombinerClass(), Combiner.class, loader);
        Combiner<Object> spillCombiner =
                combiner == null ? null : UserCode.create(spec.getCombinerClass(), Combiner.class, loader);

        Path outDir = job.mapOutputDir();
        Files.createDirectories(outDir);
        int partitions = spec.getReducers();
        try (MapOutputBuffer buffer = new MapOutputBuffer(
                settings.sortBufferBytes(),
                partitions,
                spillCombiner == null ? null : new CodecCombiner<>(valueCodec, spillCombiner),
                outDir,
                task.attemptId())) {
            Collector<Object, Object> collector =
                    new Collector<>(keyCodec, valueCodec, partitioner, partitions, buffer);
            Emitter<Object, Object> emitter = combiner == null
                    ? collector
                    : new CombiningEmitter<>(combiner, settings.combineEntries(), collector);
            String path = a.getSplitPath();
            long start = a.getSplitStart();
            mapper.setup(task);
            long records = 0;
            try (LineReader reader =
                    new LineReader(settings.fileSystems().forPath(path), path, start, a.getSplitLength())) {
                while (true) {
                    task.beforeLine(reader, records);
                    if (!reader.next()) break;
                    try {
                        mapper.map(reader.offset(), reader.line(), emitter);
                    } catch (Exception | Error e) {
                        throw new TaskFailure(
                                "mapper " + mapperClass + " failed on the line at byte " + reader.offset() + " of "
                                        + path,
                                e);
                    }
                    if ((++records & 1023) == 0) {
                        task.checkCancelled();
                        task.recordsIn = records;
                        task.recordsOut =
                                emitter instanceof CombiningEmitter<Object, Object> ce ? ce.emitted : collector.records;
                        task.progress = 0.9 * reader.progress(start);
                        task.inputLocalBytes = reader.localBytes();
                        task.inputRemoteBytes = reader.remoteBytes();
                        task.spills = buffer.spillCount();
                        task.spilledBytes = buffer.bytesSpilled();
                    }
                }
                task.inputLocalBytes = reader.localBytes();
                task.inputRemoteBytes = reader.remoteBytes();
            }
            try {
                mapper.cleanup(emitter);
                if (emitter instanceof CombiningEmitter<Object, Object> ce) ce.drain();
            } catch (Exception | Error e) {
                throw new TaskFailure("mapper " + mapperClass + " failed in cleanup", e);
            }
            task.recordsIn = records;
            task.recordsOut = emitter instanceof CombiningEmitter<Object, Object> ce ? ce.emitted : collector.records;
            MapOutputFile out = buffer.finish();
            task.bytesOut = out.totalLength();
            task.partitionBytes = partitionBytes(out);
            task.spills = buffer.spillCount();
            task.spilledBytes = buffer.bytesSpilled();
        }
    }

    /** The bytes of each partition of {@code out}, in order. */
    static long[] partitionBytes(MapOutputFile out) {
        long[] bytes = new long[out.partitions()];
        for (int p = 0; p < bytes.length; p++) bytes[p] = out.segment(p).length();
        return bytes;
    }

    /** Encodes pairs and hands them to the sort buffer. */
    static final class Collector<K, V> implements Emitter<K, V> {
        private final Codec<K> keyCodec;
        private final Codec<V> valueCodec;
        private final Partitioner<K> partitioner;
        private final int partitions;
        private final MapOutputBuffer buffer;
        private final BytesOut key = new BytesOut(256);
        private final BytesOut value = new BytesOut(256);
        long records;

        Collector(
                Codec<K> keyCodec,
                Codec<V> valueCodec,
                Partitioner<K> partitioner,
                int partitions,
                MapOutputBuffer buffer) {
            this.keyCodec = keyCodec;
            this.valueCodec = valueCodec;
            this.partitioner = partitioner;
            this.partitions = partitions;
            this.buffer = buffer;
        }

        @Override
        public void emit(K k, V v) throws Exception {
            if (k == null || v == null)
                throw new NullPointerException("emitted a null " + (k == null ? "key" : "value"));
            key.reset();
            keyCodec.encode(k, key);
            value.reset();
            valueCodec.encode(v, value);
            int p;
            if (partitioner == null) {
                p = (Bytes.hash(key.array(), 0, key.size()) & Integer.MAX_VALUE) % partitions;
            } else {
                p = partitioner.partition(k, partitions);
                if (p < 0 || p >= partitions) {
                    throw new IllegalArgumentException(
                            "partitioner returned " + p + " for " + partitions + " partitions");
                }
            }
            buffer.collect(p, key.array(), 0, key.size(), value.array(), 0, value.size());
            records++;
        }
    }

    /** Folds values per key in a bounded hash table before they reach the collector. */
    static final class CombiningEmitter<K, V> implements Emitter<K, V> {
        private final int limit;
        private final Collector<K, V> downstream;
        private final CombineTable<K, V> table;
        private final CombineTable.Fold<V> fold;
        long emitted;

        CombiningEmitter(Combiner<V> combiner, int limit, Collector<K, V> downstream) {
            this.limit = Math.max(1, limit);
            this.downstream = downstream;
            this.table = new CombineTable<>(Math.min(this.limit, 1 << 16));
            this.fold = combiner::combine;
        }

        @Override
        public void emit(K k, V v) throws Exception {
            if (k == null || v == null)
                throw new NullPointerException("emitted a null " + (k == null ? "key" : "value"));
            emitted++;
            table.merge(k, v, fold);
            if (table.size() >= limit) drain();
        }

        void drain() throws Exception {
            table.drain(downstream::emit);
        }
    }

    /** The combiner, applied to encoded values when sorted runs are spilled and merged. */
    static final class CodecCombiner<V> implements RawCombiner {
        private final Codec<V> codec;
        private final Combiner<V> combiner;
        private final BytesIn in = new BytesIn();
        private V acc;

        CodecCombiner(Codec<V> codec, Combiner<V> combiner) {
            this.codec = codec;
            this.combiner = combiner;
        }

        @Override
        public void start(byte[] buf, int off, int len) {
            acc = codec.decode(in.reset(buf, off, len));
        }

        @Override
        public void add(byte[] buf, int off, int len) throws Exception {
            acc = combiner.combine(acc, codec.decode(in.reset(buf, off, len)));
        }

        @Override
        public void finish(BytesOut out) {
            codec.encode(acc, out);
            acc = null;
        }
    }
}
