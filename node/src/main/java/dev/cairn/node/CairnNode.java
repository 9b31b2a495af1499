package dev.cairn.node;

import dev.cairn.batch.internal.master.JobMaster;
import dev.cairn.batch.internal.master.MasterSettings;
import dev.cairn.batch.internal.worker.TaskWorker;
import dev.cairn.batch.internal.worker.WorkerSettings;
import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.net.FreePorts;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.internal.Channels;
import dev.cairn.rpc.internal.RpcServer;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import dev.cairn.coord.internal.server.CoordServer;
import dev.cairn.node.internal.CoordMemberSpec;
import dev.cairn.node.internal.MasterGate;
import dev.cairn.node.internal.NodeCoordination;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreFileSystem;
import dev.cairn.store.StoreNode;
import dev.cairn.store.WriteOptions;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cairn process: a single RPC server hosting the services of the roles the configuration
 * names, plus, for the coord role, a Raft member with its ZooKeeper-protocol listener. Roles are
 * started in dependency order (coord first, then the master, then a worker) and stopped in reverse.
 *
 * <p>With coord available, masters run for election and only the elected one serves (the others
 * answer UNAVAILABLE naming it), and workers register as ephemeral znodes and follow the active
 * master wherever it moves. Without coord, the one master is always active.
 */
public final class CairnNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CairnNode.class);
    private static final Set<String> KNOWN_ROLES = Set.of("coord", "master", "worker", "store");

    private final String id;
    private final RpcServer server;
    private final Channels channels;
    private final CoordServer coord;
    private final NodeCoordination coordination;
    private final StoreNode store;
    private final JobMaster master;
    private final MasterGate gate;
    private final TaskWorker worker;

    private CairnNode(String id, RpcServer server, Channels channels, CoordServer coord, NodeCoordination coordination,
                      StoreNode store, JobMaster master, MasterGate gate, TaskWorker worker) {
        this.id = id;
        this.server = server;
        this.channels = channels;
        this.coord = coord;
        this.coordination = coordination;
        this.store = store;
        this.master = master;
        this.gate = gate;
        this.worker = worker;
    }

    /** Starts a node; on failure nothing is left running. A deposed master just stops serving. */
    public static CairnNode start(Config config, Clock clock) throws IOException {
        return start(config, clock, () -> { });
    }

    /**
     * Starts a node; on failure nothing is left running.
     *
     * @param onDeposed run when this node was the active master and lost the election (its coord
     *                  session expired, so another master may be active): the process should stop
     *                  (fail-stop), since its job state is no longer authoritative
     */
    public static CairnNode start(Config config, Clock clock, Runnable onDeposed) throws IOException {
        List<String> roles = config.get(NodeConfig.NODE_ROLES);
        for (String r : roles) {
            if (!KNOWN_ROLES.contains(r)) throw new IllegalArgumentException("unknown role '" + r + "' in node.roles; known: coord, master, worker, store");
        }
        if (roles.isEmpty()) throw new IllegalArgumentException("node.roles is empty");
        String host = config.get(NodeConfig.NODE_HOST);
        int port = config.get(NodeConfig.NODE_PORT);
        // With port 0 the node must know its endpoint before its server starts (a worker registers it).
        if (port == 0) port = FreePorts.pick(host);
        String endpoint = host + ":" + port;
        String id = config.get(NodeConfig.NODE_ID) != null ? config.get(NodeConfig.NODE_ID) : "node-" + port;
        Path dir = Path.of(config.get(NodeConfig.NODE_DIR)).toAbsolutePath();
        Files.createDirectories(dir);
        List<CoordMemberSpec> members = CoordMemberSpec.parseAll(config.get(NodeConfig.COORD_MEMBERS));

        Channels channels = new Channels();
        CoordServer coord = null;
        NodeCoordination coordination = null;
        StoreNode store = null;
        JobMaster master = null;
        TaskWorker worker = null;
        MasterGate gate = null;
        RpcServer server = null;
        try {
            if (roles.contains("coord")) coord = startCoord(config, id, host, dir, members);
            String connect = connectString(config, members, coord);
            if (connect != null && (roles.contains("master") || roles.contains("worker") || roles.contains("store"))) {
                coordination = NodeCoordination.connect(connect, config.get(NodeConfig.COORD_SESSION_TIMEOUT));
            }
            if (roles.contains("store")) {
                if (coordination == null) {
                    throw new IllegalArgumentException("the store role keeps its namespace in coord: give this node the coord role, coord.members or coord.connect");
                }
                List<Path> dirs = config.get(NodeConfig.STORE_DIRS).stream().map(Path::of).toList();
                if (dirs.isEmpty()) dirs = List.of(dir.resolve("store"));
                store = StoreNode.start(new StoreNode.Settings(id, dirs, host, config.get(NodeConfig.STORE_DATA_PORT),
                        config.get(NodeConfig.STORE_REPORT_INTERVAL), config.get(NodeConfig.STORE_SCRUB_RATE),
                        config.get(NodeConfig.STORE_SCRUB_INTERVAL),
                        new StoreNode.Repair(config.get(NodeConfig.STORE_MONITOR_INTERVAL), config.get(NodeConfig.STORE_DEAD_NODE_TIMEOUT),
                                config.get(NodeConfig.STORE_GC_GRACE))), coordination.client(), clock);
            }
            FileSystemRegistry fileSystems = fileSystems(config, id, roles, coordination);
            List<BindableService> services = new ArrayList<>();
            if (roles.contains("master")) {
                master = new JobMaster(new MasterSettings(dir.resolve("master"), config.get(NodeConfig.MASTER_WORKER_TIMEOUT),
                        config.get(NodeConfig.WORKER_HEARTBEAT_INTERVAL), config.get(NodeConfig.MASTER_SPLIT_SIZE),
                        config.get(NodeConfig.MASTER_MAX_ATTEMPTS), config.get(NodeConfig.MASTER_JOB_HISTORY),
                        config.get(NodeConfig.MASTER_LOCALITY_WAIT), fileSystems), clock);
                NodeCoordination c = coordination;
                gate = new MasterGate(() -> c == null ? Optional.of(endpoint) : c.activeMaster());
                MasterGate g = gate;
                for (BindableService svc : master.services()) services.add(() -> ServerInterceptors.intercept(svc, g));
            }
            if (roles.contains("worker")) {
                int slots = config.get(NodeConfig.WORKER_SLOTS);
                if (slots <= 0) slots = Runtime.getRuntime().availableProcessors();
                Supplier<String> locator;
                if (coordination != null) {
                    NodeCoordination c = coordination;
                    locator = () -> c.activeMaster().orElse(null);
                } else {
                    String fixed = roles.contains("master") ? endpoint : config.get(NodeConfig.MASTER_ADDRESS);
                    locator = () -> fixed;
                }
                worker = new TaskWorker(new WorkerSettings(id, endpoint, locator, dir.resolve("worker"), slots,
                        config.get(NodeConfig.WORKER_SORT_BUFFER), config.get(NodeConfig.WORKER_COMBINE_ENTRIES),
                        config.get(NodeConfig.WORKER_SHUFFLE_MEMORY), config.get(NodeConfig.WORKER_FETCH_PARALLELISM),
                        config.get(NodeConfig.RPC_DEADLINE), fileSystems), channels);
                services.addAll(worker.services());
            }
            server = RpcServer.start(host, port, services);
            if (gate != null) {
                if (coordination == null) {
                    gate.open();
                } else {
                    MasterGate g = gate;
                    coordination.runForMaster(endpoint, new NodeCoordination.LeadershipListener() {
                        @Override
                        public void elected() {
                            g.open();
                        }

                        @Override
                        public void deposed() {
                            boolean wasActive = g.isOpen();
                            g.close();
                            if (wasActive) onDeposed.run();
                        }
                    });
                }
            }
            if (worker != null) {
                worker.start();
                if (coordination != null) coordination.registerWorker(id, endpoint);
            }
        } catch (Exception e) {
            if (worker != null) worker.close();
            if (store != null) store.close();
            if (coordination != null) coordination.close();
            if (master != null) master.close();
            if (server != null) server.close();
            if (coord != null) coord.close();
            channels.close();
            if (e instanceof IOException io) throw io;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException("cannot start node " + id + ": " + e, e);
        }
        CairnNode node = new CairnNode(id, server, channels, coord, coordination, store, master, gate, worker);
        String endpointFile = config.get(NodeConfig.NODE_ENDPOINT_FILE);
        if (endpointFile != null) writeAtomically(Path.of(endpointFile), node.endpoint());
        LOG.info("node {} serving at {} with roles {}{}", id, node.endpoint(), roles,
                coord == null ? "" : "; coord clients at " + coord.clientEndpoint());
        return node;
    }

    /**
     * Local files, and {@code cairn://} paths in the store whenever this node has a coord
     * connection: a node without the store role reads every block remotely, one with it prefers
     * its own replicas and puts the first replica of what it writes on itself.
     */
    private static FileSystemRegistry fileSystems(Config config, String id, List<String> roles, NodeCoordination coordination) {
        FileSystemRegistry local = FileSystemRegistry.local();
        if (coordination == null) {
            return local.unavailable(StoreFileSystem.SCHEME, "this node has no coord connection (set coord.connect or coord.members)");
        }
        String localStoreNode = roles.contains("store") ? id : null;
        return local.with(new StoreFileSystem(() -> StoreClient.using(coordination.client(), localStoreNode, config.get(NodeConfig.RPC_DEADLINE)),
                WriteOptions.defaults()));
    }

    private static CoordServer startCoord(Config config, String id, String host, Path dir, List<CoordMemberSpec> members) throws IOException {
        RaftPeerAddress self;
        List<RaftPeerAddress> peers;
        String clientHost;
        int clientPort;
        if (members.isEmpty()) {
            int raftPort = config.get(NodeConfig.COORD_RAFT_PORT);
            self = new RaftPeerAddress(id.replaceAll("[^A-Za-z0-9_-]", "_"), host, raftPort == 0 ? FreePorts.pick(host) : raftPort);
            peers = List.of(self);
            clientHost = host;
            clientPort = config.get(NodeConfig.COORD_CLIENT_PORT);
        } else {
            CoordMemberSpec me = members.stream().filter(m -> m.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("node.id '" + id + "' is not among coord.members " + members
                            + "; a coord node must be listed there (or leave coord.members empty for a group of one)"));
            self = me.raftAddress();
            peers = members.stream().map(CoordMemberSpec::raftAddress).toList();
            clientHost = me.host();
            clientPort = me.clientPort();
        }
        long maxData = config.get(NodeConfig.COORD_MAX_DATA);
        if (maxData <= 0 || maxData > (64L << 20)) throw new IllegalArgumentException("coord.max-data must be in (0, 64m]: " + maxData);
        return CoordServer.start(new CoordServer.Settings(
                new RaftMember.Settings(self, peers, dir.resolve("coord"), config.get(NodeConfig.COORD_SNAPSHOT_EVERY),
                        config.get(NodeConfig.COORD_ELECTION_TIMEOUT), config.get(NodeConfig.COORD_REQUEST_TIMEOUT),
                        config.get(NodeConfig.COORD_JOIN), config.get(NodeConfig.COORD_LOG_SEGMENT_SIZE)),
                clientHost, clientPort, config.get(NodeConfig.COORD_TICK), (int) maxData), Clock.system());
    }

    /** Where this node's own coord client connects: explicit, else the members' client ports, else its own coord. */
    private static String connectString(Config config, List<CoordMemberSpec> members, CoordServer coord) {
        if (config.get(NodeConfig.COORD_CONNECT) != null) return config.get(NodeConfig.COORD_CONNECT);
        if (!members.isEmpty()) return String.join(",", members.stream().map(CoordMemberSpec::clientEndpoint).toList());
        return coord == null ? null : coord.clientEndpoint();
    }


    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public String id() {
        return id;
    }

    public String endpoint() {
        return server.endpoint();
    }

    public boolean isMaster() {
        return master != null;
    }

    /** True while this node is the master that serves (elected, or alone without coord). */
    public boolean isActiveMaster() {
        return gate != null && gate.isOpen();
    }

    /** The ZooKeeper-protocol endpoint of this node's coord member, if it is one. */
    public Optional<String> coordEndpoint() {
        return Optional.ofNullable(coord).map(CoordServer::clientEndpoint);
    }

    /** The active master as the election shows it; this node's own endpoint when masters run without coord. */
    public Optional<String> activeMaster() {
        if (coordination != null) return coordination.activeMaster();
        return master != null ? Optional.of(endpoint()) : Optional.empty();
    }

    @Override
    public void close() {
        if (worker != null) worker.close();
        if (store != null) store.close();
        if (coordination != null) coordination.close();
        server.close();
        if (master != null) master.close();
        if (coord != null) coord.close();
        channels.close();
        LOG.info("node {} stopped", id);
    }
}
