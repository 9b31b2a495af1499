package dev.cairn.store;

import dev.cairn.common.config.Config;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.store.internal.disk.BlockScrubber;
import dev.cairn.store.internal.disk.LocalBlockStore;
import dev.cairn.store.internal.namespace.CoordBlockAccess;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry;
import dev.cairn.store.internal.repair.RepairPlanner;
import dev.cairn.store.internal.repair.ReplicationMonitor;
import dev.cairn.store.internal.transfer.BlockAccess;
import dev.cairn.store.internal.transfer.BlockServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store role of a node: its blocks on local disks ({@code dirs}), a data server that receives
 * and serves them over TCP, an entry in coord announcing it (with its free space, refreshed every
 * {@code reportInterval}), a scrubber re-verifying local blocks at a bounded rate (a block the
 * scrubber finds corrupt is reported to the replication monitor like a corrupt read), and a
 * candidate for running the replication monitor (one store node in the cluster is elected to).
 */
public final class StoreNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreNode.class);
    /** Blocks one monitor scan copies at most; the rest wait for the next scan, which keeps scans short. */
    private static final int MAX_COPIES_PER_SCAN = 256;
    /** Blocks repaired at once: a few copies keep disks and network busy without starving clients. */
    private static final int REPAIR_PARALLELISM = 4;

    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How a store node runs.
     * @param scrubBytesPerSecond the scrubber's read rate; 0 turns it off
     * @param security how the data port and this node's transfers to other store nodes are
     *     protected; {@link #from} gives plain text, the node passes its own with {@link #withSecurity}
     * @param admins users who, like nodes, may read any block on the data port with TLS (coord's
     *     {@code security.admins}: super users of the namespace too)
     */
    public record Settings(
            String nodeId,
            List<Path> dirs,
            String host,
            int dataPort,
            Duration reportInterval,
            long scrubBytesPerSecond,
            Duration scrubInterval,
            Repair repair,
            TransportSecurity security,
            Set<String> admins) {
        public Settings {
            admins = Set.copyOf(admins);
        }

        public Settings(
                String nodeId,
                List<Path> dirs,
                String host,
                int dataPort,
                Duration reportInterval,
                long scrubBytesPerSecond,
                Duration scrubInterval,
                Repair repair) {
            this(
                    nodeId,
                    dirs,
                    host,
                    dataPort,
                    reportInterval,
                    scrubBytesPerSecond,
                    scrubInterval,
                    repair,
                    TransportSecurity.plain(),
                    Set.of());
        }

        /** These settings with the data port and transfers protected by {@code security}. */
        public Settings withSecurity(TransportSecurity security) {
            return new Settings(
                    nodeId,
                    dirs,
                    host,
                    dataPort,
                    reportInterval,
                    scrubBytesPerSecond,
                    scrubInterval,
                    repair,
                    security,
                    admins);
        }

        /** These settings with {@code admins} as the users the data port treats as super users. */
        public Settings withAdmins(java.util.Collection<String> admins) {
            return new Settings(
                    nodeId,
                    dirs,
                    host,
                    dataPort,
                    reportInterval,
                    scrubBytesPerSecond,
                    scrubInterval,
                    repair,
                    security,
                    Set.copyOf(admins));
        }

        /**
         * The settings {@link StoreConfig}'s keys give a node.
         *
         * @param defaultDir the block directory when {@code store.dirs} is empty
         * @throws IllegalArgumentException when the keys disagree (the garbage grace period is shorter than three monitor intervals)
         */
        public static Settings from(Config config, String nodeId, String host, Path defaultDir) {
            List<Path> dirs =
                    config.get(StoreConfig.DIRS).stream().map(Path::of).toList();
            if (dirs.isEmpty()) dirs = List.of(defaultDir);
            Repair repair;
            try {
                repair = new Repair(
                        config.get(StoreConfig.MONITOR_INTERVAL),
                        config.get(StoreConfig.DEAD_NODE_TIMEOUT),
                        config.get(StoreConfig.GC_GRACE));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        StoreConfig.GC_GRACE.name() + " and " + StoreConfig.MONITOR_INTERVAL.name() + ": "
                                + e.getMessage(),
                        e);
            }
            return new Settings(
                    nodeId,
                    dirs,
                    host,
                    config.get(StoreConfig.DATA_PORT),
                    config.get(StoreConfig.REPORT_INTERVAL),
                    config.get(StoreConfig.SCRUB_RATE),
                    config.get(StoreConfig.SCRUB_INTERVAL),
                    repair);
        }
    }

    /**
     * How the replication monitor (run by one elected store node) keeps blocks replicated.
     *
     * @param interval        pause between two scans of the store
     * @param deadNodeTimeout how long a store node may be gone before its replicas are copied elsewhere
     * @param gcGrace         how long a block no file or open write refers to is kept before it is deleted;
     *                        at least three intervals, so that one scan's view never decides a deletion
     */
    public record Repair(Duration interval, Duration deadNodeTimeout, Duration gcGrace) {
        public Repair {
            if (interval.isNegative() || interval.isZero())
                throw new IllegalArgumentException("the store monitor interval must be positive, got " + interval);
            if (deadNodeTimeout.isNegative())
                throw new IllegalArgumentException(
                        "the dead node timeout must not be negative, got " + deadNodeTimeout);
            if (gcGrace.compareTo(interval.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("the garbage grace period (" + gcGrace.toMillis()
                        + " ms) must be at least three monitor intervals ("
                        + interval.multipliedBy(3).toMillis() + " ms)");
            }
        }

        public static Repair defaults() {
            return new Repair(Duration.ofSeconds(3), Duration.ofMinutes(2), Duration.ofMinutes(10));
        }
    }

    private final Settings settings;
    private final LocalBlockStore blocks;
    private final BlockServer server;
    private final NodeRegistry registry;
    private final CuratorFramework coord;
    /** Whether {@link #close} ends the coord session too (it is this node's own). */
    private boolean ownsCoord;

    private final BlockScrubber scrubber;
    private final ScheduledExecutorService reporter;
    private final ReplicationMonitor monitor;

    private StoreNode(
            Settings settings, LocalBlockStore blocks, BlockServer server, CuratorFramework coord, Clock clock) {
        this.settings = settings;
        this.blocks = blocks;
        this.server = server;
        this.coord = coord;
        this.registry = new NodeRegistry(coord);
        this.scrubber = settings.scrubBytesPerSecond() > 0
                ? new BlockScrubber(
                        blocks,
                        settings.scrubBytesPerSecond(),
                        settings.scrubInterval(),
                        this::corruptFound,
                        clock,
                        BlockScrubber.Sleeper.system())
                : null;
        this.reporter = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("store-report").factory());
        Repair repair = settings.repair();
        this.monitor = new ReplicationMonitor(
                new ReplicationMonitor.Settings(
                        settings.nodeId(),
                        repair.interval(),
                        new RepairPlanner.Settings(repair.deadNodeTimeout(), repair.gcGrace(), MAX_COPIES_PER_SCAN),
                        TRANSFER_TIMEOUT,
                        REPAIR_PARALLELISM,
                        settings.security()),
                coord,
                clock,
                new SecureRandom());
    }

    /**
     * Opens the local blocks (recovering from a crash), starts serving, and announces the node in
     * coord, through a coord session of its own: the node's replicas count as gone
     * ({@code store.dead-node-timeout}) from when that session ends. Blocks until coord is reached.
     *
     * @param coordConnect the ZooKeeper connect string of the cluster's coord
     * @param sessionTimeout the timeout of this node's coord session
     */
    public static StoreNode start(Settings settings, String coordConnect, Duration sessionTimeout, Clock clock)
            throws IOException {
        return start(settings, coordConnect, sessionTimeout, Map.of(), clock, new SimpleMeterRegistry());
    }

    /**
     * {@link #start(Settings, String, Duration, Clock)} with {@code coordClientProperties} for the
     * node's coord session (ZooKeeper's client properties; its TLS settings in a secure cluster),
     * recording into {@code meters}:
     * <pre>
     * cairn_store_read_bytes_total                block data this node sent to readers
     * cairn_store_written_bytes_total             block data this node received and stored
     * cairn_store_blocks                          finalized blocks on this node's disks
     * cairn_store_used_bytes                      their bytes
     * cairn_store_under_replicated_blocks         as the replication monitor's last scan found them (*)
     * cairn_store_missing_blocks                  blocks with no live replica, likewise (*)
     * cairn_store_repair_queue                    repair actions that scan planned (*)
     * cairn_store_scrubbed_blocks_total           blocks the scrubber verified
     * cairn_store_scrubbed_bytes_total            their bytes
     * cairn_store_scrub_corrupt_blocks_total      corrupt blocks the scrubber found
     * </pre>
     * (*) only on the store node elected to run the monitor; 0 on the others.
     */
    public static StoreNode start(
            Settings settings,
            String coordConnect,
            Duration sessionTimeout,
            Map<String, String> coordClientProperties,
            Clock clock,
            MeterRegistry meters)
            throws IOException {
        CuratorFramework coord = StoreClient.newNodeCoordClient(coordConnect, sessionTimeout, coordClientProperties);
        coord.start();
        StoreNode node;
        try {
            node = start(settings, coord, clock, meters);
        } catch (IOException | RuntimeException e) {
            coord.close();
            throw e;
        }
        node.ownsCoord = true;
        return node;
    }

    private void bindMeters(MeterRegistry meters) {
        FunctionCounter.builder("cairn.store.read", server, BlockServer::bytesRead)
                .description("Bytes of block data this store node sent to readers")
                .baseUnit("bytes")
                .register(meters);
        FunctionCounter.builder("cairn.store.written", server, BlockServer::bytesWritten)
                .description("Bytes of blocks this store node received and stored")
                .baseUnit("bytes")
                .register(meters);
        Gauge.builder("cairn.store.blocks", blocks, LocalBlockStore::blockCount)
                .description("Finalized blocks on this store node's disks")
                .register(meters);
        Gauge.builder("cairn.store.used", blocks, LocalBlockStore::usedBytes)
                .description("Bytes of the finalized blocks on this store node's disks")
                .baseUnit("bytes")
                .register(meters);
        Gauge.builder("cairn.store.under.replicated.blocks", monitor, ReplicationMonitor::underReplicated)
                .description("Under-replicated blocks at the last scan, on the node running the replication monitor")
                .register(meters);
        Gauge.builder("cairn.store.missing.blocks", monitor, ReplicationMonitor::missing)
                .description(
                        "Blocks with no live replica at the last scan, on the node running the replication monitor")
                .register(meters);
        Gauge.builder("cairn.store.repair.queue", monitor, ReplicationMonitor::repairQueue)
                .description("Repair actions the last scan planned, on the node running the replication monitor")
                .register(meters);
        if (scrubber != null) {
            FunctionCounter.builder("cairn.store.scrubbed.blocks", scrubber, BlockScrubber::blocksVerified)
                    .description("Blocks the scrubber verified on this store node")
                    .register(meters);
            FunctionCounter.builder("cairn.store.scrubbed", scrubber, BlockScrubber::bytesVerified)
                    .description("Bytes of the blocks the scrubber verified on this store node")
                    .baseUnit("bytes")
                    .register(meters);
            FunctionCounter.builder("cairn.store.scrub.corrupt.blocks", scrubber, BlockScrubber::corruptFound)
                    .description("Corrupt blocks the scrubber found on this store node")
                    .register(meters);
        }
    }

    /**
     * A client of the store over this node's coord session, preferring this node's replicas for
     * reads and putting the first replica of what it writes here. Closing it leaves the session open.
     */
    public StoreClient client(Duration timeout) throws IOException {
        return StoreClient.using(coord, settings.nodeId(), timeout, settings.security());
    }

    /** Like {@link #client(Duration)}, creating entries with {@code umask}'s mode bits cleared. */
    public StoreClient client(Duration timeout, FsPermission umask) throws IOException {
        return StoreClient.using(coord, settings.nodeId(), timeout, settings.security(), umask);
    }

    /** {@link #start(Settings, String, Duration, Clock)} over a coord session the caller keeps (tests share one). */
    static StoreNode start(Settings settings, CuratorFramework coord, Clock clock) throws IOException {
        return start(settings, coord, clock, new SimpleMeterRegistry());
    }

    static StoreNode start(Settings settings, CuratorFramework coord, Clock clock, MeterRegistry meters)
            throws IOException {
        LocalBlockStore blocks = LocalBlockStore.open(LocalBlockStore.Options.of(settings.dirs()));
        BlockServer server;
        try {
            server = BlockServer.start(
                    blocks,
                    settings.host(),
                    settings.dataPort(),
                    BlockServer.Options.defaults()
                            .withSecurity(settings.security())
                            .withAccess(
                                    settings.security().enabled()
                                            ? new CoordBlockAccess(coord, clock::millis, settings.admins())
                                            : BlockAccess.OPEN));
        } catch (IOException | RuntimeException e) {
            blocks.close();
            throw e;
        }
        StoreNode node = new StoreNode(settings, blocks, server, coord, clock);
        node.bindMeters(meters);
        try {
            new Namespace(
                            coord,
                            clock::millis,
                            Namespace.Caller.node(settings.security().enabled()))
                    .ensureRoot();
            node.registry.register(node.info());
            long period = Math.max(100, settings.reportInterval().toMillis());
            var unused = node.reporter.scheduleWithFixedDelay(node::report, period, period, TimeUnit.MILLISECONDS);
            if (node.scrubber != null) node.scrubber.start();
            node.monitor.start();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        LOG.info(
                "store node {} serving {} blocks from {} at {}",
                settings.nodeId(),
                blocks.blocks().size(),
                settings.dirs(),
                server.address());
        return node;
    }

    public String dataAddress() {
        return server.address().toString();
    }

    private NodeRegistry.NodeInfo info() throws IOException {
        return new NodeRegistry.NodeInfo(
                settings.nodeId(),
                server.address().toString(),
                blocks.freeBytes(),
                blocks.usedBytes(),
                blocks.blocks().size(),
                server.connectionCount());
    }

    private void report() {
        try {
            registry.update(info());
        } catch (IOException | RuntimeException e) {
            LOG.debug("store report failed", e);
        }
    }

    private void corruptFound(dev.cairn.store.internal.disk.BlockId id) {
        LOG.warn("scrubber: replica of {} on {} is corrupt", id, settings.nodeId());
        try {
            new Namespace(coord, System::currentTimeMillis)
                    .reportCorrupt(id, settings.nodeId(), "found by the scrubber");
        } catch (IOException e) {
            LOG.warn("cannot report corrupt replica {}", id, e);
        }
    }

    @Override
    public void close() {
        monitor.close();
        reporter.shutdownNow();
        try {
            if (scrubber != null) scrubber.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            registry.close();
        } catch (IOException e) {
            LOG.debug("leaving the store registry", e);
        }
        try {
            server.close();
        } catch (Exception e) {
            LOG.debug("closing the data server", e);
        }
        try {
            blocks.close();
        } catch (Exception e) {
            LOG.debug("closing the block store", e);
        }
        if (ownsCoord) coord.close();
    }
}
