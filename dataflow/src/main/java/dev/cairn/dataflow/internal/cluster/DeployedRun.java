package dev.cairn.dataflow.internal.cluster;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.Savepoint;
import dev.cairn.dataflow.internal.graph.GraphSerialization;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.network.NetworkEndpoint;
import dev.cairn.dataflow.internal.network.PlacedExchanges;
import dev.cairn.dataflow.internal.operators.OperatorFailure;
import dev.cairn.dataflow.internal.proto.Deployment;
import dev.cairn.dataflow.internal.proto.OperatorSample;
import dev.cairn.dataflow.internal.proto.RunRef;
import dev.cairn.dataflow.internal.proto.SubtaskEvent;
import dev.cairn.dataflow.internal.proto.SubtaskSample;
import dev.cairn.dataflow.internal.runtime.SubtaskCheckpoints;
import dev.cairn.dataflow.internal.runtime.SubtaskLauncher;
import dev.cairn.dataflow.internal.runtime.SubtaskMetrics;
import dev.cairn.rpc.grpc.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The subtasks of one run of one stream job that a worker hosts: the job's classes loaded from
 * its jar, its graph, the subtasks placed in this worker's slots with their threads, and their
 * checkpoint side (state written to checkpoint storage by one writer thread, then acknowledged).
 * Events for the master go to {@code events}; the {@link StreamTaskExecutor}'s loop owns this
 * object, the subtask threads only report.
 */
final class DeployedRun implements AutoCloseable {
    final RunRef run;
    final long networkId;
    private final URLClassLoader loader;
    private final List<SubtaskLauncher.Launched> subtasks;
    private final Map<String, SubtaskCheckpoints> checkpoints = new HashMap<>();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final Set<String> reported = new java.util.HashSet<>();
    private final ExecutorService writer;
    private boolean cancelled;

    private DeployedRun(
            RunRef run,
            long networkId,
            URLClassLoader loader,
            List<SubtaskLauncher.Launched> subtasks,
            ExecutorService writer) {
        this.run = run;
        this.networkId = networkId;
        this.loader = loader;
        this.subtasks = subtasks;
        this.writer = writer;
    }

    /**
     * Sets up this worker's subtasks of the deployed run and starts them.
     *
     * @param workerId this worker, as the deployment's slot list names it
     * @param events where the subtasks' events go; called from any thread
     */
    static DeployedRun start(
            Deployment d,
            String workerId,
            Path workDir,
            FileSystemRegistry fileSystems,
            NetworkEndpoint network,
            Clock clock,
            Consumer<SubtaskEvent> events)
            throws IOException {
        Path jar = workDir.resolve(d.getRun().getJobId() + "-" + d.getRun().getAttempt() + ".jar");
        Files.createDirectories(workDir);
        Files.write(jar, d.getJar().toByteArray());
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, DeployedRun.class.getClassLoader());
        ExecutorService writer = Executors.newSingleThreadExecutor(Thread.ofVirtual()
                .name("checkpoint writer " + d.getRun().getJobId())
                .factory());
        try {
            LogicalGraph graph = readGraph(d.getGraph().newInput(), loader);
            List<String> slots = d.getSlotWorkersList();
            Map<Integer, InetSocketAddress> bySlot = new HashMap<>();
            for (int i = 0; i < slots.size(); i++) {
                String address = d.getDataAddressesOrThrow(slots.get(i));
                HostPort hp = HostPort.parse(address);
                bySlot.put(i, new InetSocketAddress(hp.host(), hp.port()));
            }
            boolean checkpointing = d.getSettings().getCheckpointIntervalMs() > 0;
            CheckpointStorage storage = checkpointing ? CheckpointStorage.at(fileSystems, d.getCheckpointDir()) : null;
            long restore = d.getRestoreCheckpoint();
            String savepointDir = restore == 0 && !d.getRestoreSavepoint().isEmpty() ? d.getRestoreSavepoint() : null;
            FileSystem savepointFs = savepointDir == null ? null : fileSystems.forPath(savepointDir);
            Savepoint savepoint = savepointDir == null ? null : Savepoint.read(savepointFs, savepointDir);
            RunRef run = d.getRun();
            DeployedRun[] self = new DeployedRun[1];
            Map<String, SubtaskCheckpoints> made = new HashMap<>();
            SubtaskCheckpoints.Reports reports = new SubtaskCheckpoints.Reports() {
                @Override
                public void snapshotTaken(SubtaskCheckpoints subtask, long checkpointId, byte[] state) {
                    snapshotTaken(subtask, checkpointId, state, List.of());
                }

                // Finishes the operators' asynchronous parts (uploads of state files) on the writer thread, then stores
                // the state.
                @Override
                public void snapshotTaken(
                        SubtaskCheckpoints subtask,
                        long checkpointId,
                        byte[] state,
                        List<dev.cairn.dataflow.internal.checkpoint.AsyncSnapshotPart> before) {
                    writer.execute(() -> {
                        try {
                            for (var part : before) part.run();
                            storage.writeState(checkpointId, subtask.id(), state);
                            events.accept(event(run, subtask.id(), SubtaskEvent.Kind.SNAPSHOT_STORED)
                                    .setCheckpointId(checkpointId)
                                    .setStateBytes(state.length)
                                    .build());
                        } catch (IOException | RuntimeException e) {
                            events.accept(event(run, subtask.id(), SubtaskEvent.Kind.DECLINED)
                                    .setCheckpointId(checkpointId)
                                    .setError("cannot store state: " + e)
                                    .build());
                        }
                    });
                }

                @Override
                public void declined(SubtaskCheckpoints subtask, long checkpointId, String reason) {
                    events.accept(event(run, subtask.id(), SubtaskEvent.Kind.DECLINED)
                            .setCheckpointId(checkpointId)
                            .setError(reason)
                            .build());
                }

                @Override
                public void sourceExhausted(SubtaskCheckpoints subtask) {
                    events.accept(event(run, subtask.id(), SubtaskEvent.Kind.SOURCE_EXHAUSTED)
                            .build());
                }
            };
            SubtaskLauncher.Checkpoints hooks = !checkpointing
                    ? null
                    : (head, subtask, source) -> {
                        String id = SubtaskLauncher.subtaskId(head, subtask);
                        if (savepoint != null) {
                            SubtaskCheckpoints c = new SubtaskCheckpoints(
                                    id,
                                    savepointState(savepoint, savepointFs, savepointDir, graph, head, subtask, source),
                                    reports);
                            made.put(id, c);
                            return c;
                        }
                        byte[] state;
                        try {
                            state = restore > 0 ? storage.readState(restore, id) : null;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(
                                    "cannot read the state of subtask " + id + " in checkpoint " + restore, e);
                        }
                        if (restore > 0 && state == null)
                            throw new IllegalStateException("checkpoint " + restore + " has no state of subtask " + id);
                        SubtaskCheckpoints c = new SubtaskCheckpoints(id, state, reports);
                        made.put(id, c);
                        return c;
                    };
            // The job's classes for the operators made now (function copies resolve through it).
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(loader);
            SubtaskLauncher.Launch launch;
            try {
                launch = SubtaskLauncher.launch(
                        graph,
                        clock,
                        d.getSettings().getBatchSize(),
                        d.getSettings().getWatermarkIntervalRecords(),
                        new PlacedExchanges(
                                d.getNetworkId(), network, (operator, subtask) -> bySlot.get(subtask % slots.size())),
                        (operator, subtask) -> workerId.equals(slots.get(subtask % slots.size())),
                        hooks,
                        (id, name, operator, t) -> {
                            self[0].failed.add(id);
                            Throwable cause = t instanceof OperatorFailure f ? f.getCause() : t;
                            events.accept(event(run, id, SubtaskEvent.Kind.FAILED)
                                    .setError("operator '" + operator + "' in subtask " + name
                                            + OperatorFailure.location(t) + " threw " + describe(cause))
                                    .build());
                        },
                        storage,
                        fileSystems,
                        d.getOwner().isEmpty() ? null : d.getOwner());
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
            DeployedRun deployed = new DeployedRun(run, d.getNetworkId(), loader, launch.subtasks(), writer);
            deployed.checkpoints.putAll(made);
            self[0] = deployed;
            for (SubtaskLauncher.Launched l : launch.subtasks()) {
                l.thread().setContextClassLoader(loader);
                l.thread().start();
            }
            return deployed;
        } catch (IOException | RuntimeException | ClassNotFoundException e) {
            writer.shutdownNow();
            loader.close();
            if (e instanceof ClassNotFoundException cnf)
                throw new IOException("class " + cnf.getMessage() + " of the job is not in its jar", cnf);
            if (e instanceof IOException io) throw io;
            throw (RuntimeException) e;
        }
    }

    /** The old subtasks' snapshots that subtask {@code subtask} of chain {@code head} restores ({@link Savepoint}). */
    private static List<byte[]> savepointState(
            Savepoint savepoint, FileSystem fs, String dir, LogicalGraph graph, int head, int subtask, boolean source) {
        Savepoint.Head old = savepoint.head(head);
        int parallelism = graph.node(head).parallelism();
        List<byte[]> states = new java.util.ArrayList<>();
        for (int s :
                Savepoint.oldSubtasksFor(graph.maxParallelism(), old.parallelism(), parallelism, subtask, source)) {
            String oldId = SubtaskLauncher.subtaskId(head, s);
            try {
                states.add(Savepoint.readState(fs, dir, oldId));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(
                        "cannot read the state of subtask " + oldId + " in savepoint " + dir, e);
            }
        }
        return states;
    }

    private static SubtaskEvent.Builder event(RunRef run, String subtask, SubtaskEvent.Kind kind) {
        return SubtaskEvent.newBuilder().setRun(run).setSubtaskId(subtask).setKind(kind);
    }

    /** One line for the job's error message, then the stack trace. */
    static String describe(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return t + "\n" + sw;
    }

    private static LogicalGraph readGraph(InputStream in, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return (LogicalGraph) GraphSerialization.read(in, loader);
    }

    /**
     * Records in and out summed over every operator of this run's subtasks, and nanoseconds its
     * subtasks were blocked on full output channels: recent values, read from any thread.
     */
    long[] totals() {
        long in = 0;
        long out = 0;
        long blocked = 0;
        for (SubtaskLauncher.Launched l : subtasks) {
            blocked += l.metrics().blockedNanos();
            for (SubtaskMetrics.Operator o : l.metrics().operators()) {
                in += o.recordsIn();
                out += o.recordsOut();
            }
        }
        return new long[] {in, out, blocked};
    }

    /** What each of this run's subtasks has done so far. */
    List<SubtaskSample> samples() {
        List<SubtaskSample> samples = new java.util.ArrayList<>(subtasks.size());
        for (SubtaskLauncher.Launched l : subtasks) {
            SubtaskSample.Builder b = SubtaskSample.newBuilder()
                    .setRun(run)
                    .setSubtaskId(l.id())
                    .setBlockedNanos(l.metrics().blockedNanos());
            for (SubtaskMetrics.Operator o : l.metrics().operators()) {
                b.addOperators(OperatorSample.newBuilder()
                        .setOperator(o.id())
                        .setRecordsIn(o.recordsIn())
                        .setRecordsOut(o.recordsOut())
                        .setWatermark(o.watermark()));
            }
            samples.add(b.build());
        }
        return samples;
    }

    /** Routes a checkpoint command to this run's subtasks. */
    void trigger(long checkpointId) {
        for (SubtaskCheckpoints c : checkpoints.values()) c.trigger(checkpointId);
    }

    void complete(long checkpointId) {
        for (SubtaskCheckpoints c : checkpoints.values()) c.complete(checkpointId);
    }

    void allowEnd() {
        for (SubtaskCheckpoints c : checkpoints.values()) c.allowEnd();
    }

    /** Reports subtasks whose threads ended without failing as finished; returns whether any thread still runs. */
    boolean reportFinished(Consumer<SubtaskEvent> events) {
        boolean alive = false;
        for (SubtaskLauncher.Launched l : subtasks) {
            if (l.thread().isAlive()) {
                alive = true;
                continue;
            }
            if (cancelled || failed.contains(l.id()) || !reported.add(l.id())) continue;
            events.accept(event(run, l.id(), SubtaskEvent.Kind.FINISHED).build());
        }
        return alive;
    }

    /** Interrupts every subtask; they stop soon, and {@link #reportFinished} then says none runs. */
    void cancel() {
        cancelled = true;
        for (SubtaskLauncher.Launched l : subtasks) l.thread().interrupt();
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public void close() {
        writer.shutdownNow();
        try {
            loader.close();
        } catch (IOException e) {
            // Released either way.
        }
    }
}
