package dev.cairn.store.internal.repair;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import dev.cairn.store.internal.transfer.BlockFetcher;
import dev.cairn.store.internal.transfer.DataAddress;
import dev.cairn.store.internal.transfer.PipelineAck;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store's blocks replicated and its disks free of garbage. Every store node runs one;
 * the one elected through coord ({@value #ELECTION}, a Curator {@link LeaderLatch}) scans the store
 * every {@code interval}, lets the {@link RepairPlanner} decide, and carries out what it decided:
 * copies blocks node to node, fixes block lists in the namespace, deletes corrupt, surplus and
 * garbage replicas. A monitor that loses the election forgets what it had observed; the next one
 * starts its clocks afresh, which only ever delays a repair (by at most {@code deadNodeTimeout}),
 * never hastens a deletion.
 *
 * <p>Threads: scans run one at a time on the monitor's own thread, which owns the planner, each
 * {@code interval} (or as long as the last scan took, if that is longer) after the last; the
 * actions of one scan run on virtual threads, at most {@code parallelism} blocks at once, each
 * block's actions in planned order, and the scan waits for all of them.
 */
public final class ReplicationMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationMonitor.class);
    public static final String ELECTION = Namespace.ROOT + "/monitor";

    /**
     * How the store monitor runs.
     * @param interval        time between the end of one scan and the start of the next
     * @param transferTimeout bounds every wait on a node while asking for reports, copying or deleting
     * @param parallelism     blocks repaired at once
     */
    public record Settings(
            String nodeId,
            Duration interval,
            RepairPlanner.Settings planner,
            Duration transferTimeout,
            int parallelism,
            TransportSecurity security) {
        public Settings {
            if (interval.isNegative() || interval.isZero())
                throw new IllegalArgumentException("monitor interval must be positive");
            if (parallelism < 1) throw new IllegalArgumentException("parallelism must be >= 1");
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final Random random;
    private final Namespace namespace;
    private final ClusterViewReader reader;
    private final LeaderLatch latch;
    private final ScheduledExecutorService thread;
    private RepairPlanner planner;

    /** The last scan's findings, written by the monitor's thread and read by whoever scrapes metrics. */
    private volatile int lastUnderReplicated;

    private volatile int lastMissing;
    private volatile int lastActions;

    public ReplicationMonitor(Settings settings, CuratorFramework coord, Clock clock, Random random) {
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.namespace = new Namespace(coord, clock::millis);
        this.reader = new ClusterViewReader(
                namespace, new NodeRegistry(coord), settings.transferTimeout(), settings.security());
        this.latch = new LeaderLatch(coord, ELECTION, settings.nodeId());
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("store-monitor").factory());
    }

    public void start() throws IOException {
        try {
            latch.start();
        } catch (Exception e) {
            throw new IOException("cannot stand for the store monitor's election: " + e.getMessage(), e);
        }
        var unused =
                thread.schedule(this::tickAndReschedule, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs a tick, then schedules the next one after the interval or after as long as this one
     * took, whichever is longer: on a namespace so large that a scan takes longer than the
     * interval, scans keep coord and the nodes at most half busy instead of scanning back to back.
     */
    private void tickAndReschedule() {
        long start = System.nanoTime();
        try {
            tick();
        } finally {
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            try {
                var unused = thread.schedule(
                        this::tickAndReschedule,
                        Math.max(settings.interval().toMillis(), tookMs),
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // close() has shut the thread down
            }
        }
    }

    /** Under-replicated blocks as this node's last scan found them; 0 while another node monitors. */
    public int underReplicated() {
        return lastUnderReplicated;
    }

    /** Blocks without any live replica as this node's last scan found them; 0 while another node monitors. */
    public int missing() {
        return lastMissing;
    }

    /** Repair actions this node's last scan planned (its repair queue); 0 while another node monitors. */
    public int repairQueue() {
        return lastActions;
    }

    private void tick() {
        if (!latch.hasLeadership()) {
            if (planner != null) LOG.info("store monitor on {} is no longer elected", settings.nodeId());
            planner = null;
            lastUnderReplicated = 0;
            lastMissing = 0;
            lastActions = 0;
            return;
        }
        if (planner == null) {
            LOG.info(
                    "store monitor elected on {}: scanning every {} ms",
                    settings.nodeId(),
                    settings.interval().toMillis());
            planner = new RepairPlanner(settings.planner(), random);
        }
        try {
            scan();
        } catch (IOException | RuntimeException e) {
            LOG.warn("store monitor scan failed", e);
        }
    }

    private void scan() throws IOException {
        ClusterView view = reader.read("/");
        long now = clock.millis();
        RepairPlanner.Plan plan = planner.plan(view, now);
        int under = 0;
        int missing = 0;
        for (BlockHealth h : plan.health()) {
            if (h.underReplicated()) under++;
            if (h.missing()) missing++;
        }
        lastUnderReplicated = under;
        lastMissing = missing;
        lastActions = plan.actions().size();
        int failed = apply(plan.actions(), view);
        if (!plan.actions().isEmpty() || missing > 0) {
            LOG.info(
                    "store monitor: {} files, {} blocks, {} under-replicated, {} missing; {} actions, {} failed",
                    view.files().size(),
                    plan.health().size(),
                    under,
                    missing,
                    plan.actions().size(),
                    failed);
        }
    }

    /** Runs the actions, each block's in order; returns how many failed (they are planned again next scan). */
    private int apply(List<RepairAction> actions, ClusterView view) {
        Map<BlockId, List<RepairAction>> byBlock = new LinkedHashMap<>();
        for (RepairAction a : actions)
            byBlock.computeIfAbsent(a.block(), k -> new ArrayList<>()).add(a);
        AtomicInteger failed = new AtomicInteger();
        Semaphore slots = new Semaphore(settings.parallelism());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (List<RepairAction> group : byBlock.values()) {
                slots.acquireUninterruptibly();
                var unused = pool.submit(() -> {
                    try {
                        for (RepairAction a : group) {
                            if (!latch.hasLeadership()) return; // another monitor has taken over: leave it the rest
                            try {
                                run(a, view.live());
                            } catch (IOException | RuntimeException e) {
                                failed.incrementAndGet();
                                LOG.warn("store monitor: {} failed: {}", a, e.getMessage());
                                return; // later actions of the block assumed this one
                            }
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return failed.get();
    }

    private void run(RepairAction action, Map<String, NodeInfo> live) throws IOException {
        switch (action) {
            case RepairAction.Replicate r -> {
                List<DataAddress> targets = new ArrayList<>();
                for (String t : r.targets()) targets.add(address(live, t));
                PipelineAck ack = BlockFetcher.replicate(
                        address(live, r.source()), r.block(), targets, settings.transferTimeout(), settings.security());
                List<String> stored = new ArrayList<>();
                for (int i = 0; i < targets.size(); i++) {
                    if (ack.outcomes().get(i) instanceof PipelineAck.Stored)
                        stored.add(r.targets().get(i));
                }
                if (!stored.isEmpty()) {
                    namespace.editBlockNodes(r.path(), r.block(), nodes -> {
                        nodes.addAll(stored);
                        return nodes;
                    });
                }
                LOG.info("re-replicated {} of {} from {} to {}", r.block(), r.path(), r.source(), stored);
                if (stored.size() < targets.size())
                    throw new IOException("copying " + r.block() + " reached only " + stored + " of " + r.targets()
                            + ": " + ack.outcomes());
            }
            case RepairAction.DropReplica d -> {
                // Unlist first, delete after: a reader that sees the old list finds no block and tries
                // another replica; the reverse order could send readers to a replica that is gone.
                namespace.editBlockNodes(d.path(), d.block(), nodes -> {
                    nodes.remove(d.node());
                    return nodes;
                });
                BlockFetcher.deleteBlocks(
                        address(live, d.node()), List.of(d.block()), settings.transferTimeout(), settings.security());
                if (d.reason().equals("corrupt")) namespace.forgetCorrupt(d.block(), d.node());
                LOG.info("dropped the {} replica of {} ({}) on {}", d.reason(), d.block(), d.path(), d.node());
            }
            case RepairAction.FixLocations f -> {
                namespace.editBlockNodes(f.path(), f.block(), nodes -> {
                    nodes.removeAll(f.remove());
                    nodes.addAll(f.add());
                    return nodes;
                });
                LOG.info("replicas of {} ({}): listed {}, unlisted {}", f.block(), f.path(), f.add(), f.remove());
            }
            case RepairAction.DeleteGarbage g -> {
                BlockFetcher.deleteBlocks(
                        address(live, g.node()), List.of(g.block()), settings.transferTimeout(), settings.security());
                LOG.info("deleted garbage block {} on {}", g.block(), g.node());
            }
            case RepairAction.ForgetCorruptReport c -> namespace.forgetCorrupt(c.block(), c.node());
        }
    }

    private static DataAddress address(Map<String, NodeInfo> live, String node) throws IOException {
        NodeInfo info = live.get(node);
        if (info == null) throw new IOException("store node " + node + " is not live");
        return DataAddress.parse(info.dataAddress());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            latch.close();
        } catch (Exception e) {
            LOG.debug("leaving the store monitor election", e);
        }
    }
}
