package dev.cairn.batch.internal.master;

import dev.cairn.batch.StageSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Re-plans the tasks of a stage that reads its parents' partitions, once every parent is done and
 * the bytes of each map output's partitions are known: a pure function of those sizes, so tests
 * decide it exactly (Spark's adaptive query execution, applied by the master to any stage whose
 * program allows it, {@link StageSpec.Adaptive}).
 *
 * <p>A partition is <em>skewed</em> when its bytes (over every parent) exceed {@code skewFactor}
 * times the median partition's and {@code skewMinBytes}. If the stage may split one of its
 * parents' partitions, a skewed partition becomes several tasks, each reading that parent's
 * partition from a run of its map outputs (cut where their bytes reach about the median) and the
 * same partition of every other parent whole. Runs of adjacent partitions that are not skewed are
 * <em>coalesced</em>, if the stage allows it, into tasks of at most {@code targetBytes} — or less,
 * so that the stage keeps at least {@code minTasks} tasks where its partitions allow: coalescing
 * must not leave free slots idle. Empty partitions always join a neighbour.
 *
 * @param enabled whether stages are re-planned at all
 * @param targetBytes the input a coalesced task aims at
 * @param skewFactor how many times the median partition a skewed one exceeds
 * @param skewMinBytes the least bytes of a skewed partition
 */
public record PartitionPlanner(boolean enabled, long targetBytes, double skewFactor, long skewMinBytes) {
    /** No re-planning. */
    public static final PartitionPlanner OFF = new PartitionPlanner(false, 64L << 20, 2.0, 4L << 20);

    public PartitionPlanner {
        if (targetBytes < 1) throw new IllegalArgumentException("target partition bytes must be >= 1");
        if (skewFactor < 1) throw new IllegalArgumentException("skew factor must be >= 1, got " + skewFactor);
        if (skewMinBytes < 0) throw new IllegalArgumentException("skew min bytes must be >= 0");
    }

    /**
     * What one task of a re-planned stage reads: partitions {@code [partitionFrom, partitionTo)}
     * of every parent's map outputs, except that of {@code splitParent}, if not null, it reads
     * only those of map outputs {@code [mapFrom, mapTo)} (in the parent's task order).
     */
    public record TaskReads(int partitionFrom, int partitionTo, String splitParent, int mapFrom, int mapTo) {
        static TaskReads whole(int from, int to) {
            return new TaskReads(from, to, null, 0, 0);
        }
    }

    /** The stage's new tasks, in order, and each decision made, to show the user. */
    public record Plan(List<TaskReads> tasks, List<String> decisions) {}

    /**
     * The tasks of stage {@code stage}.
     *
     * @param bytes for each parent read partition-wise, in the stage's order of parents: the bytes
     *     of each of its map outputs' partitions, {@code [map][partition]}
     * @param partitions the partitions every parent wrote (the stage's planned tasks)
     * @param minTasks the slots the stage could use at once
     * @return null if the stage keeps its planned tasks, task {@code i} reading partition {@code i}
     */
    public Plan plan(
            String stage, StageSpec.Adaptive adaptive, Map<String, long[][]> bytes, int partitions, int minTasks) {
        if (!enabled
                || partitions < 1
                || (!adaptive.coalesce() && adaptive.skewSplittable().isEmpty())) return null;
        long[] size = new long[partitions];
        Map<String, long[]> byParent = new java.util.LinkedHashMap<>();
        bytes.forEach((parent, maps) -> {
            long[] per = new long[partitions];
            for (long[] m : maps) for (int p = 0; p < partitions; p++) per[p] += m[p];
            byParent.put(parent, per);
            for (int p = 0; p < partitions; p++) size[p] += per[p];
        });
        long median = median(size);
        long total = Arrays.stream(size).sum();

        List<TaskReads> tasks = new ArrayList<>();
        List<String> decisions = new ArrayList<>();
        // Coalesced tasks aim at the target, but no larger than an even share of minTasks tasks.
        long coalesceTarget = Math.max(1, Math.min(targetBytes, total / Math.max(1, minTasks)));
        int runStart = -1;
        long runBytes = 0;
        int coalescedFrom = 0;
        int coalescedInto = 0;
        for (int p = 0; p < partitions; p++) {
            String splitParent = skewed(size[p], median) ? largest(adaptive.skewSplittable(), byParent, p) : null;
            List<TaskReads> pieces = splitParent == null
                    ? List.of()
                    : pieces(bytes.get(splitParent), p, splitParent, Math.max(median, 1));
            if (pieces.size() > 1) {
                if (runStart >= 0) {
                    coalescedInto += closeRun(tasks, runStart, p, adaptive.coalesce());
                    coalescedFrom += p - runStart;
                    runStart = -1;
                }
                tasks.addAll(pieces);
                decisions.add(String.format(
                        Locale.ROOT,
                        "%s: partition %d (%s, %.1fx the median %s) split into %d tasks by %s's map outputs",
                        stage,
                        p,
                        human(size[p]),
                        size[p] / (double) Math.max(1, median),
                        human(median),
                        pieces.size(),
                        splitParent));
                continue;
            }
            if (!adaptive.coalesce()) {
                tasks.add(TaskReads.whole(p, p + 1));
                continue;
            }
            if (runStart >= 0 && runBytes + size[p] > coalesceTarget && runBytes > 0) {
                coalescedInto += closeRun(tasks, runStart, p, true);
                coalescedFrom += p - runStart;
                runStart = -1;
            }
            if (runStart < 0) {
                runStart = p;
                runBytes = 0;
            }
            runBytes += size[p];
        }
        if (runStart >= 0) {
            coalescedInto += closeRun(tasks, runStart, partitions, adaptive.coalesce());
            coalescedFrom += partitions - runStart;
        }
        boolean unchanged = tasks.size() == partitions;
        for (int i = 0; unchanged && i < tasks.size(); i++)
            unchanged = tasks.get(i).equals(TaskReads.whole(i, i + 1));
        if (unchanged) return null;
        if (coalescedInto < coalescedFrom)
            decisions.add(
                    0,
                    String.format(
                            Locale.ROOT,
                            "%s: coalesced %d partitions into %d tasks (%s in all; at most %s a task)",
                            stage,
                            coalescedFrom,
                            coalescedInto,
                            human(total),
                            human(coalesceTarget)));
        return new Plan(List.copyOf(tasks), List.copyOf(decisions));
    }

    private boolean skewed(long bytes, long median) {
        return bytes > skewMinBytes && bytes > skewFactor * median;
    }

    /** Adds the tasks of partitions {@code [from, to)}: one if coalescing, else one each; returns how many. */
    private static int closeRun(List<TaskReads> tasks, int from, int to, boolean coalesce) {
        if (coalesce) {
            tasks.add(TaskReads.whole(from, to));
            return 1;
        }
        for (int p = from; p < to; p++) tasks.add(TaskReads.whole(p, p + 1));
        return to - from;
    }

    /** Of the splittable parents, the one with the most bytes in partition {@code p}; null if none has any. */
    private static String largest(List<String> splittable, Map<String, long[]> byParent, int p) {
        String best = null;
        long most = 0;
        for (String s : splittable) {
            long[] per = byParent.get(s);
            if (per != null && per[p] > most) {
                most = per[p];
                best = s;
            }
        }
        return best;
    }

    /**
     * Partition {@code p} of {@code parent} cut into runs of map outputs of about {@code piece}
     * bytes each (a run ends once it reaches it), as tasks; one task if it cannot be cut.
     */
    private static List<TaskReads> pieces(long[][] maps, int p, String parent, long piece) {
        long total = 0;
        for (long[] m : maps) total += m[p];
        int want = (int) Math.min(maps.length, Math.max(1, (total + piece - 1) / piece));
        if (want < 2) return List.of(TaskReads.whole(p, p + 1));
        long each = (total + want - 1) / want;
        List<TaskReads> out = new ArrayList<>();
        int from = 0;
        long acc = 0;
        for (int m = 0; m < maps.length; m++) {
            acc += maps[m][p];
            boolean last = m == maps.length - 1;
            if (last || (acc >= each && out.size() < want - 1)) {
                out.add(new TaskReads(p, p + 1, parent, from, m + 1));
                from = m + 1;
                acc = 0;
            }
        }
        return out;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }
}
