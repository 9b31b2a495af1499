package dev.cairn.dataflow.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A seeded deterministic simulation of checkpoint coordination, barrier alignment, recovery and
 * the two-phase-commit sink, in the style of Kafka's {@code RaftEventSimulationTest}: one thread,
 * a {@link ManualClock}, one seeded {@link Random} choosing the next event among those enabled,
 * invariants checked after every event. The real {@link CheckpointCoordinator} and
 * {@link BarrierAligner} run against a model of the job: two sources (offsets into fixed
 * sequences) feeding, over two FIFO channels, one consumer subtask whose state is a counter per
 * channel and whose chained sink stages, pre-commits at the barrier and commits on completion.
 *
 * <p>Faults, at any step: a crash of the job (before or after a subtask's snapshot, during
 * alignment, between two commits of the sink), a lost acknowledgement (the checkpoint then times
 * out), a tiny alignment buffer (checkpoints declined). Invariants: a checkpoint is complete only
 * when every subtask's state is stored and acknowledged; the committed output has no duplicates,
 * and per source it is a prefix of the failure-free output with the failure-free values; at the
 * end it equals the failure-free output exactly.
 *
 * <p>A failure prints its seed; {@code -Dsim.seed=N} replays just that seed.
 */
class CheckpointSimulationTest {
    static final int SEEDS = 150;
    static final List<String> SUBTASKS = List.of("source-0", "source-1", "consumer");

    @Test
    void checkpointsAndRecoveryKeepTheOutputExact() {
        Long only = Long.getLong("sim.seed");
        long base = 0x5eedL;
        for (int i = 0; i < (only == null ? SEEDS : 1); i++) {
            long seed = only == null ? base + i : only;
            try {
                new Simulation(seed).run();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "simulation failed with seed " + seed + " (replay: -Dsim.seed=" + seed + "): " + e.getMessage(),
                        e);
            }
        }
    }

    /** A snapshot's ack on its way to the coordinator. */
    private record Ack(long checkpointId, String subtask) {}

    static final class Simulation {
        final Random random;
        final ManualClock clock = new ManualClock(0);
        final InMemoryCheckpointStorage storage = new InMemoryCheckpointStorage();
        final int records;
        final long heldBound;
        int faultsLeft;
        // Durable: the sink's staged (pre-committed) files and its committed output.
        final TreeMap<Long, List<String>> staged = new TreeMap<>();
        final List<String> committed = new ArrayList<>();
        final Map<Long, Set<String>> acksDelivered = new HashMap<>();
        // Volatile: lost on a crash.
        CheckpointCoordinator coordinator;
        final int[] offsets = new int[2];
        final List<ArrayDeque<ChannelEvent>> channels = List.of(new ArrayDeque<>(), new ArrayDeque<>());
        final List<ArrayDeque<Long>> triggers = List.of(new ArrayDeque<>(), new ArrayDeque<>());
        BarrierAligner aligner;
        final long[] counts = new long[2];
        final List<String> inProgress = new ArrayList<>();
        final List<Long> pending = new ArrayList<>();
        final List<Ack> acks = new ArrayList<>();
        final ArrayDeque<Long> notifications = new ArrayDeque<>();
        long finalCheckpoint = -1;
        boolean done;

        Simulation(long seed) {
            random = new Random(seed);
            records = 20 + random.nextInt(60);
            heldBound = random.nextInt(4) == 0 ? 2 : 1_000;
            faultsLeft = random.nextInt(4);
            restart();
        }

        static String expected(int source, int i) {
            return source + "/" + i + "#" + (i + 1);
        }

        void run() {
            for (int step = 0; step < 200_000 && !done; step++) {
                step();
                checkInvariants();
            }
            assertThat(done)
                    .as(
                            "the job ended: final %d pending %d latest %d offsets %d,%d of %d, channels %s, aligner pending %d, triggers %s",
                            finalCheckpoint,
                            coordinator.pending(),
                            coordinator.latestCompleted(),
                            offsets[0],
                            offsets[1],
                            records,
                            channels,
                            aligner.pendingCheckpoint(),
                            triggers)
                    .isTrue();
            List<String> all = new ArrayList<>();
            for (int s = 0; s < 2; s++) for (int i = 0; i < records; i++) all.add(expected(s, i));
            assertThat(new ArrayList<>(committed).stream().sorted().toList())
                    .as("committed output equals the failure-free output")
                    .isEqualTo(all.stream().sorted().toList());
        }

        void step() {
            int choice = random.nextInt(100);
            if (faultsLeft > 0 && choice < 2) {
                faultsLeft--;
                restart();
            } else if (choice < 12) {
                tick();
            } else if (choice < 40) {
                sourceStep(random.nextInt(2));
            } else if (choice < 75) {
                deliver(random.nextInt(2));
            } else if (choice < 90) {
                deliverAck();
            } else {
                notifyConsumer();
            }
        }

        void tick() {
            clock.advance(1 + random.nextInt(20), TimeUnit.MILLISECONDS);
            long id;
            if (offsets[0] == records && offsets[1] == records && finalCheckpoint < 0) {
                id = coordinator.triggerNow();
                if (id >= 0) finalCheckpoint = id;
            } else {
                long before = coordinator.pending();
                id = coordinator.maybeTrigger();
                if (before >= 0 && coordinator.pending() != before && before == finalCheckpoint) finalCheckpoint = -1;
            }
            if (id >= 0) for (ArrayDeque<Long> t : triggers) t.add(id);
            if (finalCheckpoint >= 0 && coordinator.pending() < 0 && coordinator.latestCompleted() < finalCheckpoint) {
                finalCheckpoint = -1; // the final checkpoint timed out or was declined: trigger another
            }
        }

        void sourceStep(int s) {
            Long trigger = triggers.get(s).poll();
            if (trigger != null) {
                BytesOut out = new BytesOut();
                out.writeInt(offsets[s]);
                storage.writeState(trigger, "source-" + s, out.toByteArray());
                acks.add(new Ack(trigger, "source-" + s));
                channels.get(s).add(new ChannelEvent.Barrier(s, trigger, clock.millis()));
            } else if (offsets[s] < records) {
                int i = offsets[s]++;
                channels.get(s).add(new ChannelEvent.RecordBatch(s, new Object[] {i}, new long[] {0}, 1));
            }
        }

        void deliver(int c) {
            ChannelEvent e = channels.get(c).poll();
            if (e == null) return;
            try {
                aligner.accept(e, handler);
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        }

        final BarrierAligner.Handler handler = new BarrierAligner.Handler() {
            @Override
            public void process(ChannelEvent event) {
                if (!(event instanceof ChannelEvent.RecordBatch b)) return;
                int c = b.channel();
                counts[c]++;
                inProgress.add(c + "/" + b.values()[0] + "#" + counts[c]);
            }

            @Override
            public void aligned(long checkpointId, long timestamp) {
                // Pre-commit: the in-progress records become checkpoint N's staged file, durably.
                if (!inProgress.isEmpty()) {
                    staged.put(checkpointId, new ArrayList<>(inProgress));
                    inProgress.clear();
                    pending.add(checkpointId);
                }
                BytesOut out = new BytesOut();
                out.writeLong(counts[0]);
                out.writeLong(counts[1]);
                out.writeInt(pending.size());
                for (long id : pending) out.writeLong(id);
                storage.writeState(checkpointId, "consumer", out.toByteArray());
                acks.add(new Ack(checkpointId, "consumer"));
            }

            @Override
            public void declined(long checkpointId, String reason) {
                coordinator.abort(checkpointId);
            }
        };

        void deliverAck() {
            if (acks.isEmpty()) return;
            Ack ack = acks.remove(random.nextInt(acks.size()));
            if (faultsLeft > 0 && random.nextInt(10) == 0) {
                faultsLeft--;
                return; // lost
            }
            acksDelivered
                    .computeIfAbsent(ack.checkpointId(), k -> new HashSet<>())
                    .add(ack.subtask());
            try {
                if (coordinator.acknowledge(ack.checkpointId(), ack.subtask())) notifications.add(ack.checkpointId());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        void notifyConsumer() {
            Long id = notifications.poll();
            if (id == null) return;
            List<Long> due = new ArrayList<>();
            for (long p : pending) if (p <= id) due.add(p);
            for (long p : due) {
                if (faultsLeft > 0 && random.nextInt(8) == 0) {
                    faultsLeft--;
                    restart(); // crash between two commits
                    return;
                }
                commit(p);
                pending.remove(p);
            }
            if (finalCheckpoint >= 0 && id >= finalCheckpoint)
                done = channels.get(0).isEmpty() && channels.get(1).isEmpty();
        }

        /** Idempotent: a staged file already committed is gone from staging. */
        void commit(long id) {
            List<String> file = staged.remove(id);
            if (file != null) committed.addAll(file);
        }

        /** The job restarts from the latest complete checkpoint; everything volatile is lost. */
        void restart() {
            long latest =
                    storage.completed().isEmpty() ? 0 : storage.completed().getLast();
            storage.discard(latest + 1);
            coordinator = new CheckpointCoordinator(
                    SUBTASKS,
                    TimeUnit.MILLISECONDS.toNanos(30),
                    TimeUnit.MILLISECONDS.toNanos(300),
                    2,
                    storage,
                    clock,
                    latest);
            for (ArrayDeque<ChannelEvent> c : channels) c.clear();
            for (ArrayDeque<Long> t : triggers) t.clear();
            acks.clear();
            notifications.clear();
            inProgress.clear();
            pending.clear();
            aligner = new BarrierAligner(2, heldBound);
            finalCheckpoint = -1;
            offsets[0] = offsets[1] = 0;
            counts[0] = counts[1] = 0;
            List<Long> restoredPending = new ArrayList<>();
            if (latest > 0) {
                for (int s = 0; s < 2; s++)
                    offsets[s] = new BytesIn(storage.readState(latest, "source-" + s)).readInt();
                BytesIn in = new BytesIn(storage.readState(latest, "consumer"));
                counts[0] = in.readLong();
                counts[1] = in.readLong();
                int n = in.readInt();
                for (int i = 0; i < n; i++) restoredPending.add(in.readLong());
            }
            // The sink's recovery: commit what the restored checkpoint pre-committed, drop later staged files.
            for (long id : restoredPending) commit(id);
            staged.keySet().removeIf(id -> id > latest);
        }

        void checkInvariants() {
            for (long id : storage.completed()) {
                assertThat(acksDelivered.getOrDefault(id, Set.of()))
                        .as("checkpoint %d completed only after every subtask acknowledged", id)
                        .containsExactlyInAnyOrderElementsOf(SUBTASKS);
                assertThat(storage.statesOf(id))
                        .as("checkpoint %d has every subtask's state", id)
                        .isEqualTo(3);
            }
            assertThat(new HashSet<>(committed)).as("no duplicates").hasSize(committed.size());
            int[] next = new int[2];
            List<String> sorted = new ArrayList<>(committed);
            sorted.sort((a, b) -> Integer.compare(index(a), index(b)));
            for (String line : sorted) {
                int s = line.charAt(0) - '0';
                assertThat(line)
                        .as("committed output is a prefix of the failure-free output")
                        .isEqualTo(expected(s, next[s]++));
            }
        }

        static int index(String line) {
            return Integer.parseInt(line.substring(2, line.indexOf('#')));
        }
    }
}
