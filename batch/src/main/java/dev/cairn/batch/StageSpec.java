package dev.cairn.batch;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One stage of a {@link JobGraph}: a set of tasks that run the same program, each on its own
 * share of the stage's input, as plain data that travels to the master and the workers.
 *
 * <p>A stage reads files ({@code inputs}, cut into splits, one task per split, placed where the
 * split's blocks lie), or the partitioned output of earlier stages ({@code parents}: task
 * {@code i} reads partition {@code i} of every parent, each sorted by the bytes of its keys), or
 * nothing: its {@code tasks} generate their records (a generator such as TeraGen's). Any stage
 * may also read {@code broadcasts}: earlier stages of one output partition, whose whole output
 * every task reads (a small table for a hash join, a sample for range partitioning).
 * It writes either a partitioned output for later stages ({@code outputPartitions > 0}: the
 * records of each partition sorted by key bytes, kept on the worker that made them and fetched
 * from there) or its part of the job's output (0: one file per task, moved into place only for
 * the one attempt the master lets commit).
 *
 * @param name lower-case letters and digits, starting with a letter; task ids are {@code name-NNNNN}
 * @param inputs files or directories read by a file stage; empty for other stages
 * @param parents names of earlier stages whose output this stage reads; empty for other stages
 * @param tasks the tasks of a stage reading parents, equal to every parent's {@code
 *     outputPartitions}, or of a generator; 0 for a file stage, whose splits decide
 * @param outputPartitions partitions of the output that later stages read; 0 if the stage writes
 *     the job's output
 * @param programClass the {@link dev.cairn.batch.stage.StageProgram} each task runs, loaded from
 *     the job's jar or Cairn's own classes; empty for a MapReduce job's built-in map or reduce
 * @param program bytes handed to the program (its plan, its user functions), opaque to the runtime
 * @param broadcasts names of earlier stages of one output partition that every task reads whole
 * @param adaptive how the master may re-plan the tasks of a stage reading parents once their
 *     partitions' sizes are known
 */
// The program array is copied in and out, and equals, hashCode and toString are written for it.
@SuppressWarnings("ArrayRecordComponent")
public record StageSpec(
        String name,
        List<String> inputs,
        List<String> parents,
        int tasks,
        int outputPartitions,
        String programClass,
        byte[] program,
        List<String> broadcasts,
        Adaptive adaptive) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*");

    public StageSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches())
            throw new IllegalArgumentException(
                    "stage name '" + name + "' must be lower-case letters and digits, starting with a letter");
        inputs = List.copyOf(inputs);
        parents = List.copyOf(parents);
        broadcasts = List.copyOf(broadcasts);
        adaptive = adaptive == null ? Adaptive.NONE : adaptive;
        for (String s : adaptive.skewSplittable())
            if (!parents.contains(s))
                throw new IllegalArgumentException(
                        "stage " + name + " may split the partitions of " + s + ", which is not a parent it reads");
        if (adaptive.skewSplittable().size() > 0 && parents.size() < 2)
            throw new IllegalArgumentException("stage " + name
                    + ": only a stage reading two or more parents (a join) may split a skewed partition");
        for (String b : broadcasts)
            if (parents.contains(b))
                throw new IllegalArgumentException(
                        "stage " + name + " reads stage " + b + " both partitioned and broadcast");
        Objects.requireNonNull(programClass, "programClass");
        program = program == null ? new byte[0] : program.clone();
        if (!inputs.isEmpty() && !parents.isEmpty())
            throw new IllegalArgumentException("stage " + name + " must read either files or parent stages, not both");
        if (inputs.isEmpty() && tasks < 1)
            throw new IllegalArgumentException("stage " + name + " reads no files and needs tasks >= 1, got " + tasks);
        if (!inputs.isEmpty() && tasks != 0)
            throw new IllegalArgumentException(
                    "stage " + name + " reads files: its splits decide its tasks, so tasks must be 0, got " + tasks);
        if (outputPartitions < 0)
            throw new IllegalArgumentException(
                    "stage " + name + ": outputPartitions must be >= 0, got " + outputPartitions);
    }

    /**
     * What the master may change in the tasks of a stage reading parents once every parent is done
     * and the bytes of each of their partitions are known (adaptive execution); nothing by
     * default, and nothing when the job's {@link JobGraph#ADAPTIVE_PARAM} is "false". The
     * program's input stays a key-sorted merge of whole key groups (coalescing) or of whole map
     * outputs' parts (splitting), so a program allowing either must not depend on which
     * partition numbers its task reads.
     *
     * @param coalesce adjacent partitions small enough may be read by one task, merged in key
     *     order (the program groups records by key, as every dataflow stage does)
     * @param skewSplittable parents of which a partition far larger than the median may be
     *     divided among several tasks, each reading the partition of some of the parent's map
     *     outputs and the same partition of every other parent whole: an inner join's either side,
     *     a left outer join's left side
     */
    public record Adaptive(boolean coalesce, List<String> skewSplittable) {
        public static final Adaptive NONE = new Adaptive(false, List.of());

        public Adaptive {
            skewSplittable = List.copyOf(skewSplittable);
        }
    }

    /** A stage that reads files. */
    public static StageSpec reading(
            String name, List<String> inputs, int outputPartitions, String programClass, byte[] program) {
        return new StageSpec(
                name, inputs, List.of(), 0, outputPartitions, programClass, program, List.of(), Adaptive.NONE);
    }

    /** A stage that reads partition i of each parent in its task i. */
    public static StageSpec after(
            String name, List<String> parents, int tasks, int outputPartitions, String programClass, byte[] program) {
        return new StageSpec(
                name, List.of(), parents, tasks, outputPartitions, programClass, program, List.of(), Adaptive.NONE);
    }

    /** A stage of {@code tasks} tasks that read nothing: its program makes its records. */
    public static StageSpec generating(
            String name, int tasks, int outputPartitions, String programClass, byte[] program) {
        return new StageSpec(
                name, List.of(), List.of(), tasks, outputPartitions, programClass, program, List.of(), Adaptive.NONE);
    }

    /** This stage, also reading the whole output of each of {@code stages} in every task. */
    public StageSpec withBroadcasts(List<String> stages) {
        return new StageSpec(name, inputs, parents, tasks, outputPartitions, programClass, program, stages, adaptive);
    }

    /** This stage, re-planned as {@code adaptive} allows. */
    public StageSpec withAdaptive(Adaptive adaptive) {
        return new StageSpec(
                name, inputs, parents, tasks, outputPartitions, programClass, program, broadcasts, adaptive);
    }

    /** Whether this stage writes the job's output rather than partitions for later stages. */
    public boolean writesJobOutput() {
        return outputPartitions == 0;
    }

    /** A copy: records hold arrays by reference. */
    @Override
    public byte[] program() {
        return program.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StageSpec s
                && name.equals(s.name)
                && inputs.equals(s.inputs)
                && parents.equals(s.parents)
                && tasks == s.tasks
                && outputPartitions == s.outputPartitions
                && programClass.equals(s.programClass)
                && java.util.Arrays.equals(program, s.program)
                && broadcasts.equals(s.broadcasts)
                && adaptive.equals(s.adaptive);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, inputs, parents, tasks, outputPartitions, programClass, broadcasts, adaptive)
                + 31 * java.util.Arrays.hashCode(program);
    }

    @Override
    public String toString() {
        String reads =
                !inputs.isEmpty() ? " reading " + inputs : !parents.isEmpty() ? " after " + parents : " generating";
        if (!broadcasts.isEmpty()) reads += ", broadcast " + broadcasts;
        if (adaptive.coalesce()) reads += ", coalescing";
        if (!adaptive.skewSplittable().isEmpty()) reads += ", skew-splitting " + adaptive.skewSplittable();
        return "StageSpec[" + name + reads
                + ", tasks " + tasks + ", output partitions " + outputPartitions + ", program "
                + (programClass.isEmpty() ? "MapReduce" : programClass) + " (" + program.length + " bytes)]";
    }
}
