package dev.cairn.dataflow.internal.cluster;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.network.NetworkEndpoint;
import dev.cairn.dataflow.internal.proto.CheckpointCommand;
import dev.cairn.dataflow.internal.proto.Deployment;
import dev.cairn.dataflow.internal.proto.HeartbeatRequest;
import dev.cairn.dataflow.internal.proto.HeartbeatResponse;
import dev.cairn.dataflow.internal.proto.RegisterWorkerRequest;
import dev.cairn.dataflow.internal.proto.RunRef;
import dev.cairn.dataflow.internal.proto.StreamMasterGrpc;
import dev.cairn.dataflow.internal.proto.SubtaskEvent;
import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.Rpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's stream side: registers with the active stream master, heartbeats, and runs the
 * subtasks the master places in its slots ({@link DeployedRun}), over this worker's
 * {@link NetworkEndpoint}.
 *
 * <p>One loop thread owns the runs. A heartbeat goes every interval, and at once when a subtask
 * has something to report (a snapshot stored, a failure, an end), so checkpoints complete
 * without waiting a whole interval. A worker that finds a different master active (or is told
 * to register again) cancels every run first: the runs belonged to the old master's view, and
 * the new one restarts them from their checkpoints. A heartbeat that fails is only sent again.
 */
public final class StreamTaskExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTaskExecutor.class);

    /**
     * What the executor needs.
     *
     * @param dir where job jars of the runs are kept
     */
    public record Settings(
            String workerId,
            String endpoint,
            int slots,
            Path dir,
            Duration heartbeatInterval,
            Duration rpcDeadline,
            FileSystemRegistry fileSystems) {}

    private final Settings settings;
    private final StreamMeters.Worker meters;
    private final Supplier<String> masterLocator;
    private final NetworkEndpoint network;
    private final Clock clock;
    private final Channels channels;
    private final ConcurrentLinkedQueue<SubtaskEvent> events = new ConcurrentLinkedQueue<>();
    private final Map<RunRef, DeployedRun> runs = new LinkedHashMap<>();
    private final Thread loop;
    private volatile boolean closed;
    private String registeredWith;
    private long intervalNanos;

    public StreamTaskExecutor(Settings settings, Supplier<String> masterLocator, NetworkEndpoint network, Clock clock) {
        this(settings, masterLocator, network, clock, new StreamMeters.Worker(new SimpleMeterRegistry()));
    }

    public StreamTaskExecutor(
            Settings settings,
            Supplier<String> masterLocator,
            NetworkEndpoint network,
            Clock clock,
            StreamMeters.Worker meters) {
        this.meters = meters;
        this.settings = settings;
        this.masterLocator = masterLocator;
        this.network = network;
        // Calls to the master are protected as the node's exchange is.
        this.channels = new Channels(network.settings().security());
        this.clock = clock;
        this.intervalNanos = settings.heartbeatInterval().toNanos();
        this.loop = Thread.ofPlatform()
                .name("stream-worker " + settings.workerId())
                .daemon(true)
                .unstarted(this::run);
    }

    public void start() {
        loop.start();
    }

    public InetSocketAddress dataAddress() {
        return network.address();
    }

    private void run() {
        while (!closed) {
            try {
                step();
            } catch (RuntimeException e) {
                LOG.warn("stream worker {}: {}", settings.workerId(), e.getMessage());
                registeredWith = null;
            }
            if (events.isEmpty()) LockSupport.parkNanos(intervalNanos); // liveness only; events unpark it
        }
    }

    private void step() {
        List<SubtaskEvent> report = new ArrayList<>();
        for (DeployedRun r : List.copyOf(runs.values())) {
            boolean alive = r.reportFinished(events::add);
            if (!alive) {
                runs.remove(r.run);
                meters.ended(r);
                network.release(r.networkId);
                r.close();
            }
        }
        String master = masterLocator.get();
        if (master == null) return;
        if (!master.equals(registeredWith)) {
            if (!runs.isEmpty()) {
                cancelAll("the active stream master is now " + master);
                return; // registers once the runs have stopped
            }
            events.clear(); // of runs the previous master knew
            register(master);
        }
        SubtaskEvent e;
        while ((e = events.poll()) != null) report.add(e);
        HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder()
                .setWorkerId(settings.workerId())
                .addAllEvents(report)
                .addAllRunning(runs.keySet());
        for (DeployedRun r : runs.values()) if (!r.cancelled()) hb.addAllSamples(r.samples());
        HeartbeatRequest req = hb.build();
        HeartbeatResponse resp;
        try {
            resp = Rpc.call(master, "Heartbeat", () -> stub(master).heartbeat(req));
        } catch (RemoteException ex) {
            events.addAll(report); // the master did not get them; send again
            // A missed heartbeat is no reason to drop the runs, as registering again would: the
            // next goes out within an interval, and a master that stopped hearing from this
            // worker for its timeout says so (reregister), or another master is active by then.
            LOG.warn("stream worker {}: heartbeat to {} failed: {}", settings.workerId(), master, ex.getMessage());
            return;
        }
        if (resp.getReregister()) {
            registeredWith = null;
            return;
        }
        for (RunRef r : resp.getCancelList()) {
            DeployedRun run = runs.get(r);
            if (run != null && !run.cancelled()) {
                LOG.info("stream worker {}: cancelling {} run {}", settings.workerId(), r.getJobId(), r.getAttempt());
                run.cancel();
            }
        }
        for (Deployment d : resp.getDeployList()) deploy(d);
        for (CheckpointCommand c : resp.getCommandsList()) {
            DeployedRun run = runs.get(c.getRun());
            if (run == null || run.cancelled()) continue;
            switch (c.getKind()) {
                case TRIGGER -> run.trigger(c.getCheckpointId());
                case COMPLETE -> run.complete(c.getCheckpointId());
                case ALLOW_END -> run.allowEnd();
                case UNRECOGNIZED -> {}
            }
        }
    }

    private void deploy(Deployment d) {
        if (runs.containsKey(d.getRun())) return;
        try {
            DeployedRun run = DeployedRun.start(
                    d, settings.workerId(), settings.dir(), settings.fileSystems(), network, clock, ev -> {
                        events.add(ev);
                        LockSupport.unpark(loop);
                    });
            runs.put(d.getRun(), run);
            meters.started(run);
            LOG.info(
                    "stream worker {}: running {} run {} of user {}",
                    settings.workerId(),
                    d.getRun().getJobId(),
                    d.getRun().getAttempt(),
                    d.getOwner());
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "stream worker {}: cannot deploy {} run {}: {}",
                    settings.workerId(),
                    d.getRun().getJobId(),
                    d.getRun().getAttempt(),
                    e.toString());
            events.add(SubtaskEvent.newBuilder()
                    .setRun(d.getRun())
                    .setSubtaskId("deployment on " + settings.workerId())
                    .setKind(SubtaskEvent.Kind.FAILED)
                    .setError("cannot deploy on worker " + settings.workerId() + ": " + DeployedRun.describe(e))
                    .build());
        }
    }

    private void register(String master) {
        var resp = Rpc.call(
                master,
                "RegisterWorker",
                () -> stub(master)
                        .registerWorker(RegisterWorkerRequest.newBuilder()
                                .setWorkerId(settings.workerId())
                                .setEndpoint(settings.endpoint())
                                .setDataAddress(network.address().getHostString() + ":"
                                        + network.address().getPort())
                                .setSlots(settings.slots())
                                .build()));
        if (resp.getHeartbeatIntervalMs() > 0)
            intervalNanos = TimeUnit.MILLISECONDS.toNanos(resp.getHeartbeatIntervalMs());
        registeredWith = master;
        LOG.info("stream worker {} registered with master {}", settings.workerId(), master);
    }

    private void cancelAll(String why) {
        for (DeployedRun r : runs.values()) {
            if (r.cancelled()) continue;
            LOG.info(
                    "stream worker {}: cancelling {} run {}: {}",
                    settings.workerId(),
                    r.run.getJobId(),
                    r.run.getAttempt(),
                    why);
            r.cancel();
        }
    }

    private StreamMasterGrpc.StreamMasterBlockingStub stub(String master) {
        return StreamMasterGrpc.newBlockingStub(channels.get(master))
                .withDeadlineAfter(settings.rpcDeadline().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(loop);
        try {
            loop.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DeployedRun r : runs.values()) {
            r.cancel();
            r.close();
        }
        channels.close();
    }
}
