package dev.cairn.batch.internal.master;

import dev.cairn.batch.internal.proto.MapOutputLocation;
import dev.cairn.batch.internal.proto.ParentOutputs;
import dev.cairn.batch.internal.proto.TaskAssignment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The exactly-once checks of {@link SchedulerSimulation} under adaptive execution: that what the
 * master gives a task to read is well formed, and that a succeeded job's tasks read their input
 * exactly once however the master re-split and re-planned them.
 */
final class SimCoverage {
    private SimCoverage() {}

    /**
     * On a launch of a task reading parents: one list per parent, in the stage's order; a
     * partition range inside the parents' partitions; and every map output of each parent, but
     * for the one parent a piece of a split partition reads a run of.
     */
    static void checkGiven(MasterJob job, TaskAssignment a, String launch) {
        MasterStage stage = job.stage(a.getStage());
        List<ParentOutputs> given = a.getParentOutputsList();
        require(given.size() == stage.parents.size(), launch + " was given " + given.size() + " parents' outputs");
        int split = 0;
        for (int i = 0; i < given.size(); i++) {
            ParentOutputs p = given.get(i);
            MasterStage parent = stage.parents.get(i);
            require(p.getStage().equals(parent.name), launch + " was given " + p.getStage() + " for " + parent.name);
            int partitions = stage.spec.tasks();
            if (p.getPartitionEnd() > 0)
                require(
                        0 <= p.getPartitionStart()
                                && p.getPartitionStart() < p.getPartitionEnd()
                                && p.getPartitionEnd() <= partitions,
                        launch + " reads partitions [" + p.getPartitionStart() + ", " + p.getPartitionEnd() + ") of "
                                + partitions);
            if (p.getOutputsCount() != parent.tasks.size()) {
                split++;
                require(
                        p.getPartitionEnd() == p.getPartitionStart() + 1,
                        launch + " reads some of " + parent.name + "'s outputs but not one partition");
                require(
                        stage.spec.adaptive().skewSplittable().contains(parent.name),
                        launch + " reads some of the outputs of " + parent.name + ", which the stage may not split");
            }
        }
        require(split <= 1, launch + " reads some outputs of " + split + " parents");
    }

    /**
     * In a succeeded job: the successful attempts of a file stage's tasks read ranges (as their
     * accepted splits left them, and as the master's final splits say) that tile {@code [0, size)}.
     */
    static void checkInputCovered(MasterStage stage, long size, Function<String, long[]> rangeOfSuccess) {
        List<long[]> ranges = new ArrayList<>();
        for (MasterTask t : stage.tasks) {
            long[] r = rangeOfSuccess.apply(t.id);
            InputSplit s = t.split();
            require(
                    r[0] == s.start() && r[1] == s.start() + s.length(),
                    t.id + " read [" + r[0] + ", " + r[1] + ") but the master's split is [" + s.start() + ", "
                            + (s.start() + s.length()) + ")");
            ranges.add(r);
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        long next = 0;
        for (long[] r : ranges) {
            require(
                    r[0] == next,
                    "stage " + stage.name + ": the input from " + next + " is read "
                            + (r[0] < next ? "twice" : "by no task") + " (next task starts at " + r[0] + ")");
            require(r[1] > r[0], "stage " + stage.name + ": an empty range at " + r[0]);
            next = r[1];
        }
        require(next == size, "stage " + stage.name + ": the input ends at " + size + " but its tasks read to " + next);
    }

    /**
     * In a succeeded job: for each partition of the parents, either one successful task read it
     * from every map output of every parent, or several did (the pieces of a split partition),
     * each reading the other parents' partition whole, and between them one parent's map outputs
     * each exactly once.
     */
    static void checkPartitionsReadOnce(
            MasterJob job, MasterStage stage, Function<String, List<ParentOutputs>> readsOfSuccess) {
        int partitions = stage.spec.tasks();
        Map<Integer, List<List<ParentOutputs>>> byPartition = new HashMap<>();
        for (MasterTask t : stage.tasks) {
            List<ParentOutputs> reads = readsOfSuccess.apply(t.id);
            ParentOutputs first = reads.get(0);
            int from = first.getPartitionEnd() > 0 ? first.getPartitionStart() : t.index;
            int to = first.getPartitionEnd() > 0 ? first.getPartitionEnd() : t.index + 1;
            for (ParentOutputs p : reads) {
                int f = p.getPartitionEnd() > 0 ? p.getPartitionStart() : t.index;
                int e = p.getPartitionEnd() > 0 ? p.getPartitionEnd() : t.index + 1;
                require(f == from && e == to, t.id + " reads different partitions of its parents");
            }
            for (int p = from; p < to; p++)
                byPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(reads);
        }
        for (int p = 0; p < partitions; p++) {
            List<List<ParentOutputs>> readers = byPartition.getOrDefault(p, List.of());
            require(!readers.isEmpty(), "stage " + stage.name + ": partition " + p + " is read by no task");
            for (int i = 0; i < stage.parents.size(); i++) {
                MasterStage parent = stage.parents.get(i);
                int index = i;
                Map<String, Integer> times = new HashMap<>();
                for (List<ParentOutputs> r : readers)
                    for (MapOutputLocation m : r.get(i).getOutputsList()) times.merge(m.getTaskId(), 1, Integer::sum);
                boolean whole = readers.stream().allMatch(r -> r.get(index).getOutputsCount() == parent.tasks.size());
                for (MasterTask m : parent.tasks) {
                    int n = times.getOrDefault(m.id, 0);
                    int want = whole ? readers.size() : 1;
                    require(
                            n == want,
                            job.id + " stage " + stage.name + ": partition " + p + " of " + m.id + " was read " + n
                                    + " times, not " + want);
                }
            }
            if (readers.size() > 1)
                require(
                        readers.stream()
                                .allMatch(r ->
                                        r.get(0).getPartitionEnd() - r.get(0).getPartitionStart() == 1),
                        "stage " + stage.name + ": partition " + p + " is read by several tasks, not all its pieces");
        }
    }

    private static void require(boolean ok, String violation) {
        if (!ok) throw new AssertionError(violation);
    }
}
