package dev.cairn.batch.internal.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which running tasks of a stage deserve a speculative copy: a pure function of what the master
 * knows of the stage's tasks and of the time, so tests decide it exactly.
 *
 * <p>A stage qualifies once half its tasks have succeeded; their median run time {@code m} is what
 * a fresh copy is expected to take. A running task with one attempt is a straggler when it has run
 * at least {@code minRuntime} and more than {@code multiplier × m}, and its progress so far
 * predicts more than {@code m} still to go ({@code elapsed × (1 − p) / p}; without progress,
 * forever): a copy started now would likely finish first. Stragglers come longest predicted
 * remainder first. (Hadoop's and Spark's speculation, judged by progress rate as in LATE, Zaharia
 * et al., OSDI 2008.)
 *
 * @param enabled whether the master speculates at all
 * @param multiplier how many times the median a task must have run
 * @param minRuntime how long a task must have run, whatever the median
 */
public record SpeculationPolicy(boolean enabled, double multiplier, Duration minRuntime) {
    /** No speculation. */
    public static final SpeculationPolicy OFF = new SpeculationPolicy(false, 1.5, Duration.ofSeconds(1));

    public SpeculationPolicy {
        if (multiplier < 1)
            throw new IllegalArgumentException("speculation multiplier must be >= 1, got " + multiplier);
        if (minRuntime.isNegative()) throw new IllegalArgumentException("speculation min runtime must be >= 0");
    }

    /**
     * One task as the policy sees it.
     *
     * @param runningNanos how long its (only) attempt has run; -1 if it is not running one attempt alone
     * @param progress that attempt's reported progress, in [0, 1]
     * @param succeededNanos how long its successful attempt ran; -1 if it has not succeeded
     */
    public record TaskView(int index, long runningNanos, double progress, long succeededNanos) {}

    /** A straggler and why. */
    public record Straggler(int index, long runningNanos, double progress, long medianNanos, long remainingNanos) {
        /** "running 8.2 s at 31% (stage median 2.1 s)". */
        public String reason() {
            return String.format(
                    java.util.Locale.ROOT,
                    "running %.1f s at %d%% (stage median %.1f s)",
                    runningNanos / 1e9,
                    Math.round(progress * 100),
                    medianNanos / 1e9);
        }
    }

    /** The stragglers among {@code tasks} (one stage's), longest predicted remainder first. */
    public List<Straggler> stragglers(List<TaskView> tasks) {
        if (!enabled || tasks.isEmpty()) return List.of();
        long[] done = tasks.stream()
                .mapToLong(TaskView::succeededNanos)
                .filter(n -> n >= 0)
                .sorted()
                .toArray();
        if (done.length == 0 || done.length * 2 < tasks.size()) return List.of();
        long median = done[(done.length - 1) / 2];
        List<Straggler> out = new ArrayList<>();
        for (TaskView t : tasks) {
            if (t.runningNanos() < 0) continue;
            if (t.runningNanos() < minRuntime.toNanos() || t.runningNanos() <= multiplier * median) continue;
            double p = Math.max(0, Math.min(1, t.progress()));
            long remaining = p <= 0 ? Long.MAX_VALUE : (long) (t.runningNanos() * (1 - p) / p);
            if (remaining <= median) continue;
            out.add(new Straggler(t.index(), t.runningNanos(), p, median, remaining));
        }
        out.sort(Comparator.comparingLong(Straggler::remainingNanos).reversed());
        return out;
    }
}
