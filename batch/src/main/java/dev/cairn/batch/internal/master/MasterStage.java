package dev.cairn.batch.internal.master;

import dev.cairn.batch.StageSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * One stage of a job and its tasks, as the master tracks them. Owned by the master's loop
 * thread. Keeps indexes of its pending tasks (all, and for a file stage by the nodes holding
 * their splits) and a count of its done ones, updated on every task status change, so that
 * scheduling a heartbeat's slots costs no scan of every task.
 */
final class MasterStage {
    private static final Comparator<MasterTask> BY_INDEX = Comparator.comparingInt(t -> t.index);

    final int position;
    final StageSpec spec;
    final String name;
    final List<MasterStage> parents;
    /** The stages that read this one's partitions; filled in as they are made. */
    final List<MasterStage> consumers = new ArrayList<>();

    final List<MasterTask> tasks = new ArrayList<>();
    private final NavigableSet<MasterTask> pending = new TreeSet<>(BY_INDEX);
    private final Map<String, NavigableSet<MasterTask>> pendingOn = new HashMap<>();
    private int succeeded;
    /**
     * Whether every task has succeeded at some time: from then on the stage's outputs are what its
     * consumers are planned against, so a task re-made after a loss is not re-split.
     */
    private boolean doneOnce;
    /** Whether the stage's tasks are final: false for a stage reading parents until the master re-plans it, once. */
    private boolean planned;

    private final String jobId;

    /** @param splits the stage's splits if it reads files, else ignored */
    MasterStage(
            String jobId,
            int position,
            StageSpec spec,
            List<MasterStage> parents,
            List<InputSplit> splits,
            long nowNanos) {
        this.position = position;
        this.jobId = jobId;
        this.spec = spec;
        this.name = spec.name();
        this.parents = List.copyOf(parents);
        for (MasterStage p : parents) p.consumers.add(this);
        boolean readsFiles = !spec.inputs().isEmpty();
        int n = readsFiles ? splits.size() : spec.tasks();
        for (int i = 0; i < n; i++) add(readsFiles ? splits.get(i) : null, null, nowNanos);
        planned = spec.parents().isEmpty()
                || (!spec.adaptive().coalesce()
                        && spec.adaptive().skewSplittable().isEmpty());
    }

    private MasterTask add(InputSplit split, PartitionPlanner.TaskReads reads, long nowNanos) {
        MasterTask t = new MasterTask(
                jobId, name, !spec.writesJobOutput(), tasks.size(), split, reads, nowNanos, this::statusChanged);
        tasks.add(t);
        pending(t, true);
        return t;
    }

    /** A new pending task for {@code split}, the rest of a running task's input (a re-split). */
    MasterTask addSplit(InputSplit split, long nowNanos) {
        if (!readsFiles()) throw new IllegalStateException("stage " + name + " reads no files");
        return add(split, null, nowNanos);
    }

    /** Whether the stage's running tasks may be re-split: it reads files and has never been done. */
    boolean mayResplit() {
        return readsFiles() && !doneOnce;
    }

    /** Whether the master has yet to re-plan this stage (it reads parents and allows it). */
    boolean awaitsPlan() {
        return !planned;
    }

    /**
     * Makes the stage's tasks final: {@code reads}, one task each, in place of the planned ones
     * (none of which has run), or those if null.
     */
    void plan(List<PartitionPlanner.TaskReads> reads, long nowNanos) {
        if (planned) throw new IllegalStateException("stage " + name + " is planned already");
        planned = true;
        if (reads == null) return;
        for (MasterTask t : tasks)
            if (t.status() != MasterTask.Status.PENDING || t.attemptsLaunched() > 0)
                throw new IllegalStateException("cannot re-plan stage " + name + ": " + t.id + " has run");
        tasks.clear();
        pending.clear();
        pendingOn.clear();
        for (PartitionPlanner.TaskReads r : reads) add(null, r, nowNanos);
    }

    private void statusChanged(MasterTask t, MasterTask.Status from, MasterTask.Status to) {
        if (from == MasterTask.Status.PENDING) pending(t, false);
        if (to == MasterTask.Status.PENDING) pending(t, true);
        succeeded += (to == MasterTask.Status.SUCCEEDED ? 1 : 0) - (from == MasterTask.Status.SUCCEEDED ? 1 : 0);
        if (done()) doneOnce = true;
    }

    private void pending(MasterTask t, boolean add) {
        if (add) pending.add(t);
        else pending.remove(t);
        if (t.split() == null) return;
        for (String host : t.split().hosts()) {
            if (add)
                pendingOn.computeIfAbsent(host, h -> new TreeSet<>(BY_INDEX)).add(t);
            else pendingOn.get(host).remove(t);
        }
    }

    boolean readsFiles() {
        return !spec.inputs().isEmpty();
    }

    /** Pending tasks in task order. */
    Iterable<MasterTask> pending() {
        return pending;
    }

    /** Pending tasks whose split lies on {@code host}, in task order. */
    Iterable<MasterTask> pendingOn(String host) {
        NavigableSet<MasterTask> on = pendingOn.get(host);
        return on == null ? List.of() : on;
    }

    boolean done() {
        return succeeded == tasks.size();
    }

    /** Whether every parent is done, so that this stage's tasks can run. */
    boolean ready() {
        for (MasterStage p : parents) if (!p.done()) return false;
        return true;
    }

    /** Whether a stage reading this one's partitions has not finished, so that they are still needed. */
    boolean outputNeeded() {
        for (MasterStage c : consumers) if (!c.done()) return true;
        return false;
    }

    /** The task {@code index}, or null if there is none. */
    MasterTask task(int index) {
        return index < tasks.size() ? tasks.get(index) : null;
    }
}
