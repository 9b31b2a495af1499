package dev.cairn.batch.internal.worker;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.Reducer;
import dev.cairn.batch.internal.proto.JobSpecProto;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.batch.internal.sort.GroupingIterator;
import dev.cairn.batch.internal.sort.Merger;
import dev.cairn.batch.internal.sort.RawRecordIterator;
import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.Codec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs one reduce task attempt: fetches its partition from every map output, merge-sorts the
 * sorted segments as raw bytes, calls the user's reducer once per key, and writes
 * {@code key<TAB>value} lines to its {@link AttemptOutputFile}, which it moves into the job's
 * staging directory only once the master allows this attempt to commit.
 */
final class ReduceTaskRunner {
    private final RunningTask task;
    private final JobResources job;
    private final ShuffleFetcher fetcher;
    private final AttemptOutputFile.CommitGate gate;
    private final FileSystemRegistry fileSystems;

    ReduceTaskRunner(
            RunningTask task,
            JobResources job,
            ShuffleFetcher fetcher,
            AttemptOutputFile.CommitGate gate,
            FileSystemRegistry fileSystems) {
        this.task = task;
        this.job = job;
        this.fetcher = fetcher;
        this.gate = gate;
        this.fileSystems = fileSystems;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void run() throws Exception {
        TaskAssignment a = task.assignment;
        JobSpecProto spec = a.getSpec();
        Reducer<Object, Object, Object, Object> reducer =
                UserCode.create(spec.getReducerClass(), Reducer.class, job.loader);
        Codec<Object> keyCodec = (Codec<Object>) Codecs.forId(spec.getMapKeyCodec(), job.loader);
        Codec<Object> valueCodec = (Codec<Object>) Codecs.forId(spec.getMapValueCodec(), job.loader);

        List<ShuffleFetcher.Fetched> segments = fetcher.fetchAll(a.getMapOutputsList(), a.getTaskIndex());
        task.shuffleBytes = fetcher.fetchedBytes();
        long totalRecords =
                segments.stream().mapToLong(ShuffleFetcher.Fetched::records).sum();

        String partName = String.format("part-r-%05d", a.getTaskIndex());
        AttemptOutputFile file = AttemptOutputFile.start(fileSystems, a.getStagingDir(), task.attemptId(), partName);
        try {
            List<RawRecordIterator> inputs = new ArrayList<>();
            try {
                for (ShuffleFetcher.Fetched f : segments) inputs.add(f.open());
                try (RawRecordIterator merged = Merger.merge(inputs);
                        Writer out = new BufferedWriter(
                                new OutputStreamWriter(file.create(), StandardCharsets.UTF_8), 1 << 16)) {
                    reduce(reducer, keyCodec, valueCodec, new GroupingIterator(merged), out, totalRecords);
                }
            } finally {
                for (RawRecordIterator in : inputs) in.close();
            }
            file.commit(task, gate);
        } catch (Exception | Error e) {
            file.abort(e);
            throw e;
        }
        task.progress = 1;
    }

    private void reduce(
            Reducer<Object, Object, Object, Object> reducer,
            Codec<Object> keyCodec,
            Codec<Object> valueCodec,
            GroupingIterator groups,
            Writer out,
            long totalRecords)
            throws Exception {
        String reducerClass = task.assignment.getSpec().getReducerClass();
        long[] written = {0};
        Emitter<Object, Object> emitter = (k, v) -> {
            if (k == null || v == null)
                throw new NullPointerException("reducer emitted a null " + (k == null ? "key" : "value"));
            out.write(k.toString());
            out.write('\t');
            out.write(v.toString());
            out.write('\n');
            written[0]++;
        };
        try {
            reducer.setup(task);
        } catch (Exception | Error e) {
            throw new TaskFailure("reducer " + reducerClass + " failed in setup", e);
        }
        BytesIn keyIn = new BytesIn();
        ValueIterator values = new ValueIterator(groups, valueCodec);
        long keys = 0;
        while (groups.nextKey()) {
            Object key = keyCodec.decode(keyIn.reset(groups.keyArray(), groups.keyOffset(), groups.keyLength()));
            values.reset();
            try {
                reducer.reduce(key, values, emitter);
            } catch (Exception | Error e) {
                throw new TaskFailure("reducer " + reducerClass + " failed on key '" + key + "'", e);
            }
            if ((++keys & 1023) == 0) {
                task.checkCancelled();
                task.recordsIn = values.consumed;
                task.recordsOut = written[0];
                task.progress =
                        totalRecords == 0 ? 0.5 : 0.5 + 0.5 * Math.min(1, values.consumed / (double) totalRecords);
            }
        }
        try {
            reducer.cleanup(emitter);
        } catch (Exception | Error e) {
            throw new TaskFailure("reducer " + reducerClass + " failed in cleanup", e);
        }
        task.recordsIn = values.consumed;
        task.recordsOut = written[0];
    }

    /** Decodes the current key's values lazily, one at a time. */
    private static final class ValueIterator implements Iterator<Object> {
        private final GroupingIterator groups;
        private final Codec<Object> codec;
        private final BytesIn in = new BytesIn();
        long consumed;

        ValueIterator(GroupingIterator groups, Codec<Object> codec) {
            this.groups = groups;
            this.codec = codec;
        }

        void reset() {}

        @Override
        public boolean hasNext() {
            try {
                return groups.hasNextValue();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public Object next() {
            if (!hasNext()) throw new NoSuchElementException();
            try {
                groups.nextValue();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            consumed++;
            return codec.decode(in.reset(groups.valueArray(), groups.valueOffset(), groups.valueLength()));
        }
    }
}
