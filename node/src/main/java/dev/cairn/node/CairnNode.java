package dev.cairn.node;

import dev.cairn.batch.BatchMaster;
import dev.cairn.batch.BatchWorker;
import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.Admins;
import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import dev.cairn.coord.CoordMember;
import dev.cairn.coord.CoordService;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobRegistry;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.dataflow.StreamMaster;
import dev.cairn.dataflow.StreamWorker;
import dev.cairn.node.internal.CoordStreamJobRegistry;
import dev.cairn.node.internal.NodeCoordination;
import dev.cairn.node.internal.ops.NodeMetrics;
import dev.cairn.node.internal.ops.OpsServer;
import dev.cairn.node.internal.ops.OpsSources;
import dev.cairn.rpc.RpcConfig;
import dev.cairn.rpc.RpcServer;
import dev.cairn.rpc.RpcService;
import dev.cairn.store.FsPermission;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreConfig;
import dev.cairn.store.StoreFileSystem;
import dev.cairn.store.StoreNode;
import dev.cairn.store.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
 *
 * <p>With {@code security.enabled}, the node loads its TLS material once ({@link
 * #transportSecurity}) and hands the same {@link TransportSecurity} to every server and client it
 * starts: the RPC server and its channels (batch shuffle included), the store's data port and
 * transfers, the stream exchange, and the HTTPS server.
 */
public final class CairnNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CairnNode.class);
    private static final Set<String> KNOWN_ROLES = Set.of("coord", "master", "worker", "store");

    private final String id;
    private final RpcServer server;
    private final CoordService coord;
    private final NodeCoordination coordination;
    private final StoreNode store;
    private final StoreConnector storeConnector;
    private final BatchMaster master;
    private final BatchWorker worker;
    private final StreamMaster streamMaster;
    private final StreamWorker streamWorker;
    private final OpsServer ops;
    private final NodeMetrics metrics;

    private CairnNode(
            String id,
            RpcServer server,
            CoordService coord,
            NodeCoordination coordination,
            StoreNode store,
            StoreConnector storeConnector,
            BatchMaster master,
            BatchWorker worker,
            StreamMaster streamMaster,
            StreamWorker streamWorker,
            OpsServer ops,
            NodeMetrics metrics) {
        this.id = id;
        this.server = server;
        this.coord = coord;
        this.coordination = coordination;
        this.store = store;
        this.storeConnector = storeConnector;
        this.master = master;
        this.worker = worker;
        this.streamMaster = streamMaster;
        this.streamWorker = streamWorker;
        this.ops = ops;
        this.metrics = metrics;
    }

    /** Starts a node; on failure nothing is left running. A deposed master just stops serving. */
    public static CairnNode start(Config config, Clock clock) throws IOException {
        return start(config, clock, () -> {});
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
            if (!KNOWN_ROLES.contains(r))
                throw new IllegalArgumentException(
                        "unknown role '" + r + "' in node.roles; known: coord, master, worker, store");
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
        List<CoordMember> members = CoordMember.parseAll(config.get(CoordConfig.MEMBERS));
        Duration rpcDeadline = config.get(RpcConfig.DEADLINE);
        // The one TransportSecurity of this node: every component below gets this same value, and
        // its coord clients (Curator) the same identity as ZooKeeper's TLS client properties.
        TransportSecurity security = transportSecurity(config, id, dir, clock);
        Map<String, String> coordClient = security.enabled()
                ? CoordClientSecurity.zooKeeperProperties(identityFile(config, id, dir), trustFile(config, dir))
                : Map.of();

        CoordService coord = null;
        NodeCoordination coordination = null;
        StoreNode store = null;
        StoreConnector storeConnector = null;
        BatchMaster master = null;
        BatchWorker worker = null;
        StreamMaster streamMaster = null;
        StreamWorker streamWorker = null;
        RpcServer server = null;
        OpsServer ops = null;
        // The node's one registry: every part records into it, and /metrics scrapes it.
        NodeMetrics metrics = new NodeMetrics(id, roles);
        try {
            if (roles.contains("coord"))
                coord = CoordService.start(
                        CoordService.Settings.from(
                                config,
                                id,
                                host,
                                dir.resolve("coord"),
                                security,
                                config.get(NodeConfig.SECURITY_ADMINS)),
                        clock,
                        metrics.registry());
            String connect = connectString(config, members, coord);
            if (connect != null && (roles.contains("master") || roles.contains("worker"))) {
                coordination =
                        NodeCoordination.connect(connect, config.get(NodeConfig.COORD_SESSION_TIMEOUT), coordClient);
            }
            if (roles.contains("store")) {
                if (connect == null) {
                    throw new IllegalArgumentException(
                            "the store role keeps its namespace in coord: give this node the coord role, coord.members or coord.connect");
                }
                store = StoreNode.start(
                        StoreNode.Settings.from(config, id, host, dir.resolve("store"))
                                .withSecurity(security)
                                .withAdmins(config.get(NodeConfig.SECURITY_ADMINS)),
                        connect,
                        config.get(NodeConfig.COORD_SESSION_TIMEOUT),
                        coordClient,
                        clock,
                        metrics.registry());
            }
            storeConnector =
                    new StoreConnector(store, connect, rpcDeadline, security, coordClient, jobUmask(config, security));
            FileSystemRegistry fileSystems = fileSystems(storeConnector);
            List<RpcService> services = new ArrayList<>();
            if (roles.contains("master")) {
                NodeCoordination c = coordination;
                // Jobs belong to their submitters; nodes and security.admins may act on any (enforced over TLS).
                JobAccess access = new JobAccess(Admins.of(config.get(NodeConfig.SECURITY_ADMINS)));
                master = BatchMaster.create(
                        BatchMaster.Settings.from(config, dir.resolve("master")),
                        fileSystems,
                        () -> c == null ? Optional.of(endpoint) : c.activeMaster(),
                        clock,
                        access);
                services.addAll(master.services());
                NodeCoordination c2 = coordination;
                streamMaster = StreamMaster.create(
                        StreamMaster.Settings.from(config, dir.resolve("stream"), fileSystems),
                        coordination == null
                                ? StreamJobRegistry.inMemory()
                                : new CoordStreamJobRegistry(coordination.client()),
                        () -> c2 == null ? Optional.of(endpoint) : c2.activeMaster(),
                        clock,
                        metrics.registry(),
                        access);
                services.addAll(streamMaster.services());
            }
            if (roles.contains("worker")) {
                Supplier<String> locator;
                if (coordination != null) {
                    NodeCoordination c = coordination;
                    locator = () -> c.activeMaster().orElse(null);
                } else {
                    String fixed = roles.contains("master") ? endpoint : config.get(NodeConfig.MASTER_ADDRESS);
                    locator = () -> fixed;
                }
                worker = BatchWorker.create(
                        BatchWorker.Settings.from(config, id, endpoint, dir.resolve("worker"))
                                .withSecurity(security),
                        locator,
                        fileSystems,
                        metrics.registry());
                services.addAll(worker.services());
                streamWorker = StreamWorker.create(
                        StreamWorker.Settings.from(
                                        config,
                                        id,
                                        endpoint,
                                        host,
                                        dir.resolve("stream-worker"),
                                        rpcDeadline,
                                        fileSystems)
                                .withSecurity(security),
                        locator,
                        clock,
                        metrics.registry());
            }
            // Tokens, for clients that cannot hold a certificate: on the HTTPS port of every node that
            // reaches coord, and on a master's RPC port (job commands); every other port takes
            // certificates only.
            Optional<BearerTokens> tokens = security.enabled() && coordination != null
                    ? Optional.of(new BearerTokens(coordination.tokens(), clock))
                    : Optional.empty();
            server = RpcServer.start(
                    host,
                    port,
                    services,
                    security,
                    metrics.registry(),
                    roles.contains("master") ? tokens : Optional.empty());
            int httpPort = roles.contains("master")
                    ? config.get(NodeConfig.MASTER_HTTP_PORT)
                    : config.get(NodeConfig.NODE_HTTP_PORT);
            if (httpPort >= 0) {
                // The stream master's jobs as its status call answers them, over loopback: the HTTP
                // server reads them as any client would, never the stream master's state.
                StreamClient streams = master == null
                        ? null
                        : StreamClient.connect(endpoint, min(rpcDeadline, Duration.ofSeconds(5)), security);
                Supplier<List<StreamJobStatus>> streamJobs = streams == null ? List::of : streams::list;
                String logFile = config.get(NodeConfig.NODE_LOG_FILE);
                StoreConnector sc = storeConnector;
                ops = OpsServer.start(
                        host,
                        httpPort,
                        new OpsSources(
                                id,
                                roles,
                                endpoint,
                                master,
                                worker,
                                streamJobs,
                                coordination,
                                coord,
                                sc.available() ? sc::connect : null,
                                dir,
                                logFile == null ? null : Path.of(logFile).toAbsolutePath()),
                        clock,
                        metrics,
                        security,
                        tokens);
                if (streams != null) ops.closeWith(streams);
                if (master != null && coordination != null) coordination.publishDashboard(endpoint, ops.url());
                if (coordination != null) coordination.publishHttp(id, ops.endpoint());
            }
            if (master != null) {
                if (coordination == null) {
                    master.activate();
                    streamMaster.activate();
                } else {
                    BatchMaster m = master;
                    StreamMaster sm = streamMaster;
                    coordination.runForMaster(endpoint, new NodeCoordination.LeadershipListener() {
                        @Override
                        public void elected() {
                            m.activate();
                            sm.activate();
                        }

                        @Override
                        public void deposed() {
                            boolean streamWasActive = sm.deactivate();
                            if (m.deactivate() || streamWasActive) onDeposed.run();
                        }
                    });
                }
            }
            if (worker != null) {
                worker.start();
                streamWorker.start();
                if (coordination != null) coordination.registerWorker(id, endpoint);
            }
        } catch (Exception e) {
            if (streamWorker != null) streamWorker.close();
            if (worker != null) worker.close();
            if (storeConnector != null) storeConnector.close();
            if (store != null) store.close();
            if (coordination != null) coordination.close();
            if (master != null) master.close();
            if (streamMaster != null) streamMaster.close();
            if (ops != null) ops.close();
            if (server != null) server.close();
            if (coord != null) coord.close();
            metrics.close();
            if (e instanceof IOException io) throw io;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException("cannot start node " + id + ": " + e, e);
        }
        CairnNode node = new CairnNode(
                id,
                server,
                coord,
                coordination,
                store,
                storeConnector,
                master,
                worker,
                streamMaster,
                streamWorker,
                ops,
                metrics);
        String endpointFile = config.get(NodeConfig.NODE_ENDPOINT_FILE);
        if (endpointFile != null)
            writeAtomically(
                    Path.of(endpointFile),
                    node.endpoint()
                            + node.httpEndpoint().map(h -> "\nhttp=" + h).orElse("")
                            + portLines(node.ports()));
        LOG.info(
                "node {} serving at {} ({}) with roles {}{}",
                id,
                node.endpoint(),
                security.describe(),
                roles,
                coord == null ? "" : "; coord clients at " + coord.clientEndpoint());
        return node;
    }

    /**
     * The node's transport security: plain text unless {@code security.enabled}; then mutual TLS
     * with {@code security.identity} (default {@code <node.dir>/../security/nodes/<node.id>.pem})
     * and {@code security.trust} (default {@code <node.dir>/../security/ca.pem}), which must name a
     * node.
     *
     * @throws IOException naming the missing or unreadable file and how to make it
     */
    static TransportSecurity transportSecurity(Config config, String id, Path dir, Clock clock) throws IOException {
        if (!config.get(NodeConfig.SECURITY_ENABLED)) return TransportSecurity.plain();
        Path identity = identityFile(config, id, dir);
        Path trust = trustFile(config, dir);
        TlsMaterial material;
        try {
            material = TlsMaterial.load(identity, trust, config.get(NodeConfig.SECURITY_RELOAD_INTERVAL), clock);
        } catch (NoSuchFileException e) {
            throw new IOException(
                    "security.enabled is true but " + e.getFile() + " does not exist: make it with `bin/cairn security"
                            + " init` (or `cluster up --secure`), or set security.identity and security.trust",
                    e);
        }
        CairnPrincipal self = material.principal();
        if (self.kind() != CairnPrincipal.Kind.NODE)
            throw new IOException("security.identity " + identity + " holds a certificate of " + self
                    + ", not of a node: a node needs a node certificate");
        return TransportSecurity.mutualTls(material);
    }

    /** {@code security.identity}, by default {@code <node.dir>/../security/nodes/<node.id>.pem}. */
    private static Path identityFile(Config config, String id, Path dir) {
        return config.get(NodeConfig.SECURITY_IDENTITY) != null
                ? Path.of(config.get(NodeConfig.SECURITY_IDENTITY))
                : layoutBeside(dir).node(id);
    }

    /** {@code security.trust}, by default {@code <node.dir>/../security/ca.pem}. */
    private static Path trustFile(Config config, Path dir) {
        return config.get(NodeConfig.SECURITY_TRUST) != null
                ? Path.of(config.get(NodeConfig.SECURITY_TRUST))
                : layoutBeside(dir).caCertificate();
    }

    private static SecurityLayout layoutBeside(Path dir) {
        return SecurityLayout.under(dir.getParent() == null ? dir : dir.getParent());
    }

    /**
     * Local files, and {@code cairn://} paths in the store whenever this node reaches coord: a node
     * without the store role reads every block remotely, one with it prefers its own replicas and
     * puts the first replica of what it writes on itself.
     */
    private static FileSystemRegistry fileSystems(StoreConnector connector) {
        FileSystemRegistry local = FileSystemRegistry.local();
        if (!connector.available()) {
            return local.unavailable(
                    StoreFileSystem.SCHEME, "this node has no coord connection (set coord.connect or coord.members)");
        }
        return local.with(new StoreFileSystem(connector::connect, WriteOptions.defaults()));
    }

    /**
     * The mode bits cleared from what jobs write into the store as this node (outputs, checkpoints,
     * savepoints, caches). Secured: 077, so a job's files are private (700 and 600) while the node
     * owns them, and its output stays so when handed to the job's owner ({@code FileSystem.giveTo}),
     * who may open it up with {@code fs chmod}. Plain text: {@code store.umask}, nothing being enforced.
     */
    private static FsPermission jobUmask(Config config, TransportSecurity security) {
        return security.enabled() ? PRIVATE_UMASK : FsPermission.parse(config.get(StoreConfig.UMASK));
    }

    private static final FsPermission PRIVATE_UMASK = new FsPermission(0077);

    /**
     * How this node's file system reaches the store: over its store node's coord session when it
     * is one, else through a client of its own, made on first use and closed with the node.
     */
    private static final class StoreConnector implements AutoCloseable {
        private final StoreNode store;
        private final String coordConnect;
        private final Duration deadline;
        private final TransportSecurity security;
        private final Map<String, String> coordClient;
        private final FsPermission umask;
        private final List<StoreClient> owned = new ArrayList<>();

        StoreConnector(
                StoreNode store,
                String coordConnect,
                Duration deadline,
                TransportSecurity security,
                Map<String, String> coordClient,
                FsPermission umask) {
            this.umask = umask;
            this.security = security;
            this.coordClient = coordClient;
            this.store = store;
            this.coordConnect = coordConnect;
            this.deadline = deadline;
        }

        boolean available() {
            return coordConnect != null;
        }

        synchronized StoreClient connect() throws IOException {
            if (store != null) return store.client(deadline, umask);
            StoreClient c = StoreClient.connect(coordConnect, null, deadline, security, coordClient, umask);
            owned.add(c);
            return c;
        }

        @Override
        public synchronized void close() {
            owned.forEach(StoreClient::close);
            owned.clear();
        }
    }

    /** Where this node's own coord client connects: explicit, else the members' client ports, else its own coord. */
    private static String connectString(Config config, List<CoordMember> members, CoordService coord) {
        if (config.get(NodeConfig.COORD_CONNECT) != null) return config.get(NodeConfig.COORD_CONNECT);
        if (!members.isEmpty())
            return String.join(
                    ",", members.stream().map(CoordMember::clientEndpoint).toList());
        return coord == null ? null : coord.clientEndpoint();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
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

    /**
     * Every port this node listens on, by what it serves: {@code rpc}, {@code http}, {@code coord}
     * (the ZooKeeper-protocol client port), {@code store} (block transfers) and {@code stream}
     * (the stream exchange), each present when the node runs it. A coord member's Raft port is in
     * {@code coord.members}.
     */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("rpc", server.port());
        if (ops != null) ports.put("http", ops.port());
        if (coord != null) ports.put("coord", portOf(coord.clientEndpoint()));
        if (store != null) ports.put("store", portOf(store.dataAddress()));
        if (streamWorker != null) ports.put("stream", streamWorker.dataAddress().getPort());
        return ports;
    }

    private static int portOf(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** The endpoint file's {@code port.NAME=N} lines, after the ones older readers know. */
    private static String portLines(Map<String, Integer> ports) {
        StringBuilder sb = new StringBuilder();
        ports.forEach(
                (name, port) -> sb.append("\nport.").append(name).append('=').append(port));
        return sb.toString();
    }

    /** {@code host:port} of this node's HTTP server (dashboard and metrics), if it serves HTTP. */
    public Optional<String> httpEndpoint() {
        return Optional.ofNullable(ops).map(OpsServer::endpoint);
    }

    /** {@code http://host:port/} of this node's dashboard, if it is a master serving HTTP. */
    public Optional<String> dashboardUrl() {
        return master == null ? Optional.empty() : Optional.ofNullable(ops).map(OpsServer::url);
    }

    public boolean isMaster() {
        return master != null;
    }

    /** True while this node is the master that serves (elected, or alone without coord). */
    public boolean isActiveMaster() {
        return master != null && master.isActive();
    }

    /** The ZooKeeper-protocol endpoint of this node's coord member, if it is one. */
    public Optional<String> coordEndpoint() {
        return Optional.ofNullable(coord).map(CoordService::clientEndpoint);
    }

    /** The active master as the election shows it; this node's own endpoint when masters run without coord. */
    public Optional<String> activeMaster() {
        if (coordination != null) return coordination.activeMaster();
        return master != null ? Optional.of(endpoint()) : Optional.empty();
    }

    @Override
    public void close() {
        if (streamWorker != null) streamWorker.close();
        if (worker != null) worker.close();
        storeConnector.close();
        if (store != null) store.close();
        if (coordination != null) coordination.close();
        if (ops != null) ops.close();
        server.close();
        if (master != null) master.close();
        if (streamMaster != null) streamMaster.close();
        if (coord != null) coord.close();
        metrics.close();
        LOG.info("node {} stopped", id);
    }
}
