package dev.cairn.batch;

import dev.cairn.common.codec.Codec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What a MapReduce job runs: plain data (class names, codec ids, paths), so it can travel to the
 * master and be turned back into objects on each worker inside the job's class loader.
 *
 * <p>Input is text: every line of every input file (directories are read recursively, hidden
 * files skipped) reaches the mapper as (byte offset {@code Long}, line {@code String}). Output is
 * {@code part-r-NNNNN} files of {@code key<TAB>value} lines under {@link #output()}, which must
 * not exist yet and appears atomically when the job commits. Paths are local ones every node can
 * see, or in Cairn's store ({@code cairn:///dir/file}), where map tasks run near their blocks.
 *
 * <p>Each input is read by {@link #mapperClass()}, unless the job gives it a mapper of its own
 * ({@link #inputMappers()}; Hadoop's MultipleInputs): a reduce-side join reads each side with
 * its own mapper, and a mapper can also ask its {@link TaskContext#input()} which input it reads.
 *
 * @param mapperClass the mapper of the inputs without one of their own; null if every input has one
 * @param splitBytes target input split size; 0 means the cluster's default
 * @param maxAttempts attempts per task before the job fails; 0 means the cluster's default
 * @param inputMappers inputs (as named in {@code inputs}) read by a mapper of their own, to its class name
 */
public record JobSpec(
        String name,
        List<String> inputs,
        String output,
        String mapperClass,
        String combinerClass,
        String reducerClass,
        String partitionerClass,
        String mapKeyCodec,
        String mapValueCodec,
        int reducers,
        long splitBytes,
        int maxAttempts,
        Map<String, String> params,
        Map<String, String> inputMappers) {

    public JobSpec {
        Objects.requireNonNull(name, "name");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(output, "output");
        inputMappers = Map.copyOf(inputMappers);
        for (String in : inputMappers.keySet()) {
            if (!inputs.contains(in))
                throw new IllegalArgumentException("a mapper is given for " + in + ", which is not an input");
        }
        if (mapperClass == null) {
            for (String in : inputs) {
                if (!inputMappers.containsKey(in)) {
                    throw new IllegalArgumentException(
                            "no mapper for input " + in + ": give the job a mapper, or that input one of its own");
                }
            }
        }
        Objects.requireNonNull(reducerClass, "reducer");
        Objects.requireNonNull(mapKeyCodec, "map output key codec");
        Objects.requireNonNull(mapValueCodec, "map output value codec");
        params = Map.copyOf(params);
        if (inputs.isEmpty()) throw new IllegalArgumentException("a job needs at least one input path");
        if (reducers < 1) throw new IllegalArgumentException("reducers must be >= 1, got " + reducers);
        if (splitBytes < 0) throw new IllegalArgumentException("splitBytes must be >= 0");
        if (maxAttempts < 0) throw new IllegalArgumentException("maxAttempts must be >= 0");
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The mapper class that reads {@code input}. */
    public String mapperFor(String input) {
        return inputMappers.getOrDefault(input, mapperClass);
    }

    /** This job with every input and output path passed through {@code resolve} (to make them absolute, say). */
    public JobSpec withPaths(UnaryOperator<String> resolve) {
        Map<String, String> mappers = new LinkedHashMap<>();
        inputMappers.forEach((in, m) -> mappers.put(resolve.apply(in), m));
        return new JobSpec(
                name,
                inputs.stream().map(resolve).toList(),
                resolve.apply(output),
                mapperClass,
                combinerClass,
                reducerClass,
                partitionerClass,
                mapKeyCodec,
                mapValueCodec,
                reducers,
                splitBytes,
                maxAttempts,
                params,
                mappers);
    }

    /** This job with parameter {@code key} set to {@code value} (replacing any). */
    public JobSpec withParam(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put(key, value);
        return new JobSpec(
                name,
                inputs,
                output,
                mapperClass,
                combinerClass,
                reducerClass,
                partitionerClass,
                mapKeyCodec,
                mapValueCodec,
                reducers,
                splitBytes,
                maxAttempts,
                p,
                inputMappers);
    }

    /** Fluent construction; class references keep user code type-checked. */
    public static final class Builder {
        private final String name;
        private final List<String> inputs = new ArrayList<>();
        private String output;
        private String mapper;
        private String combiner;
        private String reducer;
        private String partitioner;
        private String keyCodec;
        private String valueCodec;
        private int reducers = 1;
        private long splitBytes;
        private int maxAttempts;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, String> inputMappers = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder input(String path) {
            inputs.add(path);
            return this;
        }

        /** An input read by a mapper of its own instead of the job's (Hadoop's MultipleInputs). */
        @SuppressWarnings("rawtypes")
        public Builder input(String path, Class<? extends Mapper> mapper) {
            inputs.add(path);
            inputMappers.put(path, mapper.getName());
            return this;
        }

        public Builder output(String path) {
            output = path;
            return this;
        }

        @SuppressWarnings("rawtypes")
        public Builder mapper(Class<? extends Mapper> type) {
            mapper = type.getName();
            return this;
        }

        @SuppressWarnings("rawtypes")
        public Builder combiner(Class<? extends Combiner> type) {
            combiner = type.getName();
            return this;
        }

        @SuppressWarnings("rawtypes")
        public Builder reducer(Class<? extends Reducer> type) {
            reducer = type.getName();
            return this;
        }

        @SuppressWarnings("rawtypes")
        public Builder partitioner(Class<? extends Partitioner> type) {
            partitioner = type.getName();
            return this;
        }

        /** The codecs of the mapper's output pairs, which cross the shuffle. */
        public Builder mapOutput(Codec<?> key, Codec<?> value) {
            keyCodec = key.id();
            valueCodec = value.id();
            return this;
        }

        public Builder reducers(int n) {
            reducers = n;
            return this;
        }

        public Builder splitBytes(long bytes) {
            splitBytes = bytes;
            return this;
        }

        public Builder maxAttempts(int n) {
            maxAttempts = n;
            return this;
        }

        public Builder param(String key, String value) {
            params.put(key, value);
            return this;
        }

        public JobSpec build() {
            return new JobSpec(
                    name,
                    inputs,
                    output,
                    mapper,
                    combiner,
                    reducer,
                    partitioner,
                    keyCodec,
                    valueCodec,
                    reducers,
                    splitBytes,
                    maxAttempts,
                    params,
                    inputMappers);
        }
    }
}
