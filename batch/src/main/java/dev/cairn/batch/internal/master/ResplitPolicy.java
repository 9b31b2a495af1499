package dev.cairn.batch.internal.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which running tasks of a file stage should give up the rest of their input to a free slot, and
 * where to cut it: a pure function of the tasks' byte ranges, positions and run times, so tests
 * decide it exactly (dynamic work rebalancing, or liquid sharding, as in Google Cloud Dataflow).
 *
 * <p>A task's rate is the input bytes it has consumed per second of running; the stage's rate is
 * the (upper) median of its finished tasks', or while none has finished, of those running at
 * least {@code minGain}. A running task with
 * one attempt is cut where it and a fresh task at the stage's rate would finish the rest at the
 * same time: it keeps {@code r / (r + stage rate)} of what is left (nothing if it has not moved;
 * half if it is as fast as the stage, its input merely larger) — a share, which the task applies
 * to what it has left when the request reaches it. It is cut only if that saves at least {@code minGain}
 * and leaves another task at least {@code minBytes}. Tasks that would save most come first.
 *
 * @param enabled whether running tasks are re-split at all
 * @param minGain the least time a split must save
 * @param minBytes the least input a split hands over
 */
public record ResplitPolicy(boolean enabled, Duration minGain, long minBytes) {
    /** No re-splitting. */
    public static final ResplitPolicy OFF = new ResplitPolicy(false, Duration.ofSeconds(2), 1L << 20);

    public ResplitPolicy {
        if (minGain.isNegative()) throw new IllegalArgumentException("resplit min gain must be >= 0");
        if (minBytes < 1) throw new IllegalArgumentException("resplit min bytes must be >= 1");
    }

    /**
     * One task of a file stage.
     *
     * @param runningNanos how long its only attempt has run, if it runs one attempt with no split
     *     pending; else -1
     * @param start the first byte of its input
     * @param position the offset its reader has reached, as last reported
     * @param end where its input ends now
     * @param succeededNanos how long its successful attempt ran; -1 if it has not succeeded
     */
    public record TaskView(int index, long runningNanos, long start, long position, long end, long succeededNanos) {
        long consumed() {
            return Math.max(0, Math.min(end, position) - start);
        }
    }

    /**
     * A split to ask for: task {@code index} to keep the share {@code keep} of what it has left
     * (where the master believes it is, that ends at {@code at}), and why.
     */
    public record Split(int index, double keep, long at, long savedNanos, String reason) {}

    /** The splits worth asking for among {@code tasks} (one stage's), largest saving first. */
    public List<Split> splits(List<TaskView> tasks) {
        if (!enabled) return List.of();
        // The finished tasks' rates if any, else the running ones' (a stalled task would drag a mixed median down).
        boolean anyDone = tasks.stream().anyMatch(t -> t.succeededNanos() > 0);
        double[] rates = tasks.stream()
                .filter(t -> anyDone ? t.succeededNanos() > 0 : t.runningNanos() >= minGain.toNanos())
                .mapToDouble(t -> anyDone
                        ? (t.end() - t.start()) / (t.succeededNanos() / 1e9)
                        : t.consumed() / (t.runningNanos() / 1e9))
                .sorted()
                .toArray();
        if (rates.length == 0) return List.of();
        double stageRate = rates[rates.length / 2];
        if (stageRate <= 0) return List.of();
        List<Split> out = new ArrayList<>();
        for (TaskView t : tasks) {
            if (t.runningNanos() < minGain.toNanos()) continue;
            double rate = t.consumed() / (t.runningNanos() / 1e9);
            long from = Math.max(t.start(), t.position());
            long left = t.end() - from;
            if (left <= 0) continue;
            long keep = (long) (left * (rate / (rate + stageRate)));
            long at = from + keep;
            long handedOver = t.end() - at;
            // A task that has read nothing would hand over its whole input: that is a copy's job.
            if (handedOver < minBytes || at <= t.start()) continue;
            // Time to the end without the split, and with it: the later of the two halves.
            double before = rate <= 0 ? Double.POSITIVE_INFINITY : left / rate;
            double after = Math.max(rate <= 0 ? 0 : keep / rate, handedOver / stageRate);
            double saved = before - after;
            if (saved < minGain.toNanos() / 1e9) continue;
            long savedNanos = Double.isInfinite(saved) ? Long.MAX_VALUE : (long) (saved * 1e9);
            out.add(new Split(
                    t.index(),
                    (at - from) / (double) left,
                    at,
                    savedNanos,
                    String.format(
                            Locale.ROOT,
                            "%s/s against the stage's %s/s, %s left",
                            PartitionPlanner.human((long) rate),
                            PartitionPlanner.human((long) stageRate),
                            PartitionPlanner.human(left))));
        }
        out.sort(Comparator.comparingLong(Split::savedNanos).reversed());
        return out;
    }
}
