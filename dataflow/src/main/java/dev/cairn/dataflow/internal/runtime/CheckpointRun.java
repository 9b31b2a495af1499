package dev.cairn.dataflow.internal.runtime;

import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart;
import dev.cairn.dataflow.internal.checkpoint.CheckpointCoordinator;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Checkpoints during one run (attempt) of a job in this JVM: the {@link CheckpointCoordinator}
 * on its own thread, asking the source subtasks to inject barriers; the subtasks' snapshots
 * stored by one writer thread, which acknowledges each to the coordinator once it is in
 * {@link CheckpointStorage}; completion notices to every subtask. Every coordinator call holds
 * {@code lock}.
 *
 * <p>End of a bounded job: when every source has emitted everything, the coordinator triggers a
 * final checkpoint at once; when it (or a later one) completes, the sources may end their
 * partitions, so the final checkpoint covers every record and a transactional sink commits all.
 */
final class CheckpointRun implements SubtaskCheckpoints.Reports {
    private final CheckpointSettings settings;
    private final CheckpointStorage storage;
    private final Clock clock;
    private final long restoredFrom;
    private volatile Consumer<Throwable> failure = t -> {};
    private final Object lock = new Object();
    private final Map<String, SubtaskCheckpoints> subtasks = new LinkedHashMap<>();
    private final List<SubtaskCheckpoints> sources = new ArrayList<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("checkpoint writer").daemon(true).factory());
    private CheckpointCoordinator coordinator;
    private Thread coordinatorThread;
    private int exhaustedSources;
    private long finalCheckpoint = -1;
    private volatile boolean stopped;

    /** Where the run's checkpoints go. */
    CheckpointStorage storage() {
        return storage;
    }

    /**
     * @param restoredFrom the complete checkpoint the subtasks restore from, or 0
     */
    CheckpointRun(CheckpointSettings settings, CheckpointStorage storage, Clock clock, long restoredFrom) {
        this.settings = settings;
        this.storage = storage;
        this.clock = clock;
        this.restoredFrom = restoredFrom;
    }

    /** What fails the job when a snapshot cannot be stored. */
    void onFailure(Consumer<Throwable> failure) {
        this.failure = failure;
    }

    /** The checkpoint side of a subtask whose chain head is node {@code node}. */
    SubtaskCheckpoints subtask(int node, int subtask, boolean source) {
        String id = node + "-" + subtask;
        byte[] state;
        try {
            state = restoredFrom > 0 ? storage.readState(restoredFrom, id) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading state of subtask " + id + " in checkpoint " + restoredFrom, e);
        }
        if (restoredFrom > 0 && state == null) {
            throw new IllegalStateException("checkpoint " + restoredFrom + " has no state of subtask " + id);
        }
        SubtaskCheckpoints c = new SubtaskCheckpoints(id, state, this);
        subtasks.put(id, c);
        if (source) sources.add(c);
        return c;
    }

    void start() {
        coordinator = new CheckpointCoordinator(
                List.copyOf(subtasks.keySet()),
                settings.interval().toNanos(),
                Math.max(settings.interval().toNanos() * 10, TimeUnit.SECONDS.toNanos(10)),
                settings.retained(),
                storage,
                clock,
                restoredFrom);
        coordinatorThread =
                Thread.ofPlatform().name("checkpoint coordinator").daemon(true).start(this::coordinate);
    }

    private void coordinate() {
        long waitMillis = Math.max(1, Math.min(50, settings.interval().toMillis() / 4));
        synchronized (lock) {
            while (!stopped) {
                long id;
                if (finalCheckpoint >= 0
                        && coordinator.pending() < 0
                        && coordinator.latestCompleted() < finalCheckpoint) {
                    finalCheckpoint = -1; // declined or timed out: trigger another
                }
                if (exhaustedSources == sources.size() && finalCheckpoint < 0) {
                    id = coordinator.triggerNow();
                    if (id >= 0) finalCheckpoint = id;
                } else {
                    id = coordinator.maybeTrigger();
                }
                if (id >= 0) for (SubtaskCheckpoints s : sources) s.triggers.add(id);
                try {
                    // Liveness only: the coordinator decides by the injected clock.
                    lock.wait(waitMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void snapshotTaken(SubtaskCheckpoints subtask, long checkpointId, byte[] state) {
        snapshotTaken(subtask, checkpointId, state, List.of());
    }

    /** Runs {@code before} (uploads of the snapshot's files) on the writer thread, then stores the state. */
    @Override
    public void snapshotTaken(
            SubtaskCheckpoints subtask, long checkpointId, byte[] state, List<AsyncSnapshotPart> before) {
        writer.execute(() -> {
            try {
                for (AsyncSnapshotPart part : before) part.run();
                storage.writeState(checkpointId, subtask.id, state);
                synchronized (lock) {
                    if (coordinator.acknowledge(checkpointId, subtask.id)) completed(checkpointId);
                }
            } catch (IOException | RuntimeException e) {
                if (!stopped) failure.accept(e);
            }
        });
    }

    private void completed(long checkpointId) {
        for (SubtaskCheckpoints s : subtasks.values()) s.completions.add(checkpointId);
        if (finalCheckpoint >= 0 && checkpointId >= finalCheckpoint) {
            for (SubtaskCheckpoints s : sources) s.mayEnd = true;
        }
    }

    @Override
    public void declined(SubtaskCheckpoints subtask, long checkpointId, String reason) {
        synchronized (lock) {
            coordinator.abort(checkpointId);
            if (checkpointId == finalCheckpoint) finalCheckpoint = -1;
            lock.notifyAll();
        }
    }

    @Override
    public void sourceExhausted(SubtaskCheckpoints subtask) {
        synchronized (lock) {
            exhaustedSources++;
            lock.notifyAll();
        }
    }

    /** Stops the coordinator and the writer; bounded. */
    void stop() throws InterruptedException {
        stopped = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (coordinatorThread != null) coordinatorThread.join(TimeUnit.SECONDS.toMillis(10));
        writer.shutdownNow();
        writer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
