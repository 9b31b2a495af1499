package dev.cairn.batch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A batch job as a graph of stages ({@link StageSpec}), in an order where every stage comes after
 * its parents. A stage runs once all its parents have finished; the job's output, a directory
 * that must not exist, appears atomically once every stage has. A MapReduce {@link JobSpec} is
 * the two-stage graph {@code map → reduce} ({@link #of(JobSpec)}); the dataflow API plans
 * programs of any depth into one.
 *
 * @param splitBytes target size of file splits; 0 means the cluster's default
 * @param maxAttempts attempts per task before the job fails; 0 means the cluster's default
 */
public record JobGraph(
        String name,
        List<StageSpec> stages,
        String output,
        long splitBytes,
        int maxAttempts,
        Map<String, String> params) {
    public JobGraph {
        Objects.requireNonNull(name, "name");
        stages = List.copyOf(stages);
        Objects.requireNonNull(output, "output");
        params = Map.copyOf(params);
        if (stages.isEmpty()) throw new IllegalArgumentException("job " + name + " has no stages");
        if (splitBytes < 0) throw new IllegalArgumentException("splitBytes must be >= 0");
        if (maxAttempts < 0) throw new IllegalArgumentException("maxAttempts must be >= 0");
        Map<String, StageSpec> seen = new HashMap<>();
        Set<String> consumed = new HashSet<>();
        for (StageSpec s : stages) {
            for (String p : s.parents()) {
                StageSpec parent = seen.get(p);
                if (parent == null)
                    throw new IllegalArgumentException(
                            "stage " + s.name() + " reads " + p + ", which is not an earlier stage");
                if (parent.outputPartitions() != s.tasks())
                    throw new IllegalArgumentException("stage " + s.name() + " has " + s.tasks()
                            + " tasks but its parent " + p + " writes " + parent.outputPartitions() + " partitions");
                consumed.add(p);
            }
            for (String b : s.broadcasts()) {
                StageSpec parent = seen.get(b);
                if (parent == null)
                    throw new IllegalArgumentException(
                            "stage " + s.name() + " reads " + b + ", which is not an earlier stage");
                if (parent.outputPartitions() != 1)
                    throw new IllegalArgumentException("stage " + s.name() + " reads " + b + " broadcast, so " + b
                            + " must write one partition, not " + parent.outputPartitions());
                consumed.add(b);
            }
            if (seen.put(s.name(), s) != null) throw new IllegalArgumentException("two stages are named " + s.name());
        }
        for (StageSpec s : stages) {
            if (!s.writesJobOutput() && !consumed.contains(s.name()))
                throw new IllegalArgumentException(
                        "stage " + s.name() + " writes partitions that no later stage reads");
        }
    }

    /**
     * The job parameter that turns speculative execution off for one job when {@code "false"}
     * (the master's {@code master.speculation} decides otherwise).
     */
    public static final String SPECULATION_PARAM = "cairn.speculation";

    /**
     * The job parameter that turns adaptive execution off for one job when {@code "false"}: no
     * re-splitting of running tasks' input, no coalescing or splitting of partitions (the
     * master's {@code master.adaptive} decides otherwise).
     */
    public static final String ADAPTIVE_PARAM = "cairn.adaptive";

    /** This job with parameter {@code key} set to {@code value} (replacing any). */
    public JobGraph withParam(String key, String value) {
        Map<String, String> p = new java.util.LinkedHashMap<>(params);
        p.put(key, value);
        return new JobGraph(name, stages, output, splitBytes, maxAttempts, p);
    }

    /** The MapReduce job as its two stages: {@code map} over the inputs, {@code reduce} writing the output. */
    public static JobGraph of(JobSpec spec) {
        return new JobGraph(
                spec.name(),
                List.of(
                        StageSpec.reading("map", spec.inputs(), spec.reducers(), "", null),
                        StageSpec.after("reduce", List.of("map"), spec.reducers(), 0, "", null)),
                spec.output(),
                spec.splitBytes(),
                spec.maxAttempts(),
                spec.params());
    }

    /** The stage named {@code name}. */
    public StageSpec stage(String name) {
        for (StageSpec s : stages) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException("job " + this.name + " has no stage " + name);
    }

    /** This job with every input and output path passed through {@code resolve} (to make them absolute, say). */
    public JobGraph withPaths(UnaryOperator<String> resolve) {
        List<StageSpec> resolved = stages.stream()
                .map(s -> new StageSpec(
                        s.name(),
                        s.inputs().stream().map(resolve).toList(),
                        s.parents(),
                        s.tasks(),
                        s.outputPartitions(),
                        s.programClass(),
                        s.program(),
                        s.broadcasts(),
                        s.adaptive()))
                .toList();
        return new JobGraph(name, resolved, resolve.apply(output), splitBytes, maxAttempts, params);
    }
}
