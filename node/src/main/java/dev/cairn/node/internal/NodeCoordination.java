package dev.cairn.node.internal;

import dev.cairn.node.CoordClientSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own use of coord, through Curator like any other client: workers announce themselves
 * as ephemeral znodes under {@value #WORKERS}, masters run for election with a {@link LeaderLatch}
 * under {@value #MASTERS} (participant id = the master's RPC endpoint), and anyone can look up the
 * active master there.
 *
 * <p>Nothing here blocks a node's start: Curator connects and (re)creates the registrations in the
 * background, so a node can start before a quorum of coord members is up.
 */
public final class NodeCoordination implements AutoCloseable {
    public static final String WORKERS = "/cairn/workers";
    public static final String MASTERS = "/cairn/masters";
    /** {@code DASHBOARDS/<master endpoint>} (data: its dashboard URL), so a standby can redirect to the active one. */
    public static final String DASHBOARDS = "/cairn/dashboards";
    /** {@code HTTP/<node id>} (data: its HTTP server's host:port), so the active master can reach every node's. */
    public static final String HTTP = "/cairn/http";

    private static final Logger LOG = LoggerFactory.getLogger(NodeCoordination.class);
    private static final long MASTER_CACHE_NANOS = 500_000_000L;

    /** Told when this node gains or loses the master role; called on Curator's event thread. */
    public interface LeadershipListener {
        void elected();

        void deposed();
    }

    private final CuratorFramework client;
    private PersistentNode workerNode;
    private LeaderLatch latch;
    private volatile String cachedMaster;
    private volatile long cachedAt;

    /** Ephemeral znodes this node publishes (path, data), made again whenever its session is (re)connected. */
    private final Map<String, byte[]> published = new ConcurrentHashMap<>();

    private volatile boolean closed;
    private TokenCache tokens;

    private NodeCoordination(CuratorFramework client) {
        this.client = client;
        client.getConnectionStateListenable().addListener((c, state) -> {
            // The timeline of a lost session (which stops an active master) is what its log must show.
            switch (state) {
                case SUSPENDED -> LOG.warn("lost the connection to coord; the session lives on while it reconnects");
                case RECONNECTED -> LOG.info("reconnected to coord within the session");
                case LOST -> LOG.warn("coord session lost (expired, or no connection for the session timeout)");
                default -> {}
            }
            if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED)
                published.forEach(this::createEphemeral);
        });
    }

    /** Connects in plain text. */
    public static NodeCoordination connect(String connectString, Duration sessionTimeout) {
        return connect(connectString, sessionTimeout, Map.of());
    }

    /**
     * Connects with the given ZooKeeper client properties: none for plain text, or for mutual TLS
     * those {@link #tls} makes from the node's identity and trust PEM files.
     */
    public static NodeCoordination connect(
            String connectString, Duration sessionTimeout, Map<String, String> clientProperties) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .zkClientConfig(clientConfig(clientProperties))
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(15_000, sessionTimeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                // Only a lost session ends leadership: a dropped connection that Curator re-establishes
                // within the session (say, a coord member was killed) must not depose the master.
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .build();
        client.start();
        return new NodeCoordination(client);
    }

    /**
     * The ZooKeeper client properties of a TLS connection with this identity and trust
     * ({@link CoordClientSecurity#zooKeeperProperties}).
     */
    public static Map<String, String> tls(Path identity, Path trust) {
        return CoordClientSecurity.zooKeeperProperties(identity, trust);
    }

    /**
     * A client configuration of its own with {@code properties} on top of ZooKeeper's defaults: a
     * client's TLS material never goes through System properties, which every client in the JVM
     * (several nodes in tests) would share.
     */
    public static ZKClientConfig clientConfig(Map<String, String> properties) {
        ZKClientConfig config = new ZKClientConfig();
        properties.forEach(config::setProperty);
        return config;
    }

    /** The Curator client, for other roles of this node that keep state in coord (the store). */
    public CuratorFramework client() {
        return client;
    }

    /** Keeps {@code WORKERS/id} (data: the worker's endpoint) present while this node's session lives. */
    public synchronized void registerWorker(String workerId, String endpoint) {
        workerNode = new PersistentNode(
                client,
                CreateMode.EPHEMERAL,
                false,
                WORKERS + "/" + workerId,
                endpoint.getBytes(StandardCharsets.UTF_8));
        workerNode.start();
    }

    /** Joins the master election; the listener hears when this node becomes or stops being the active master. */
    public synchronized void runForMaster(String endpoint, LeadershipListener listener) throws Exception {
        latch = new LeaderLatch(client, MASTERS, endpoint);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("this node ({}) is now the active master", endpoint);
                listener.elected();
            }

            @Override
            public void notLeader() {
                LOG.warn("this node ({}) is no longer the active master", endpoint);
                listener.deposed();
            }
        });
        latch.start();
    }

    /**
     * The active master's endpoint as the election shows it (cached for half a second), or empty
     * while no master is elected or coord cannot be reached.
     */
    public Optional<String> activeMaster() {
        String cached = cachedMaster;
        if (cached != null && System.nanoTime() - cachedAt < MASTER_CACHE_NANOS) return Optional.of(cached);
        try {
            List<String> children = client.getChildren().forPath(MASTERS);
            Optional<String> first = children.stream().min(Comparator.comparing(NodeCoordination::sequence));
            if (first.isEmpty()) return Optional.empty();
            String endpoint = new String(client.getData().forPath(MASTERS + "/" + first.get()), StandardCharsets.UTF_8);
            cachedMaster = endpoint;
            cachedAt = System.nanoTime();
            return Optional.of(endpoint);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            LOG.debug("cannot look up the active master", e);
            return Optional.empty();
        }
    }

    /** The masters standing for election (their endpoints), in election order: the active one first. */
    public List<String> masters() {
        try {
            List<String> out = new ArrayList<>();
            List<String> children = client.getChildren().forPath(MASTERS).stream()
                    .sorted(Comparator.comparing(NodeCoordination::sequence))
                    .toList();
            for (String c : children) {
                try {
                    out.add(new String(client.getData().forPath(MASTERS + "/" + c), StandardCharsets.UTF_8));
                } catch (KeeperException.NoNodeException e) {
                    // left the election meanwhile
                }
            }
            return out;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            LOG.debug("cannot list the masters", e);
            return List.of();
        }
    }

    /** Keeps {@code DASHBOARDS/<endpoint>} (data: {@code url}) present while this node's session lives. */
    public void publishDashboard(String endpoint, String url) {
        // Never closed (see close()); Curator keeps it, and re-creates it after a new session.
        publishEphemeral(DASHBOARDS + "/" + endpoint, url);
    }

    /** The cluster's tokens, watched from the first call on and until this closes. */
    public synchronized TokenCache tokens() {
        if (tokens == null) tokens = TokenCache.start(client);
        return tokens;
    }

    /** Publishes this node's HTTP server, ephemeral like {@link #publishDashboard} and never closed for the same reason. */
    public void publishHttp(String nodeId, String hostPort) {
        publishEphemeral(HTTP + "/" + nodeId, hostPort);
    }

    /**
     * Keeps an ephemeral node present while this node's session lives: made now and again on every
     * (re)connection, so a new session after an expiry has it too. It is never deleted here: it goes
     * with the session when the client closes. (Curator's {@code PersistentNode} deletes
     * synchronously on close, which blocks while coord has no quorum, and left unclosed it retries
     * its create recursively once the client closes, until the stack overflows.)
     */
    private void publishEphemeral(String path, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        published.put(path, bytes);
        createEphemeral(path, bytes);
    }

    private void createEphemeral(String path, byte[] data) {
        if (closed) return;
        try {
            client.create()
                    .orSetData()
                    .creatingParentContainersIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .inBackground((c, event) -> {
                        if (event.getResultCode() != KeeperException.Code.OK.intValue() && !closed)
                            LOG.warn(
                                    "cannot publish {} in coord ({}); trying again on the next connection",
                                    path,
                                    KeeperException.Code.get(event.getResultCode()));
                    })
                    .forPath(path, data);
        } catch (Exception e) {
            LOG.warn("cannot publish {} in coord: {}", path, e.toString());
        }
    }

    /** The HTTP servers the live nodes published, node id to host:port, sorted by id. */
    public Map<String, String> httpEndpoints() throws Exception {
        Map<String, String> out = new TreeMap<>();
        List<String> ids;
        try {
            ids = client.getChildren().forPath(HTTP);
        } catch (KeeperException.NoNodeException e) {
            return out;
        }
        for (String id : ids) {
            try {
                out.put(id, new String(client.getData().forPath(HTTP + "/" + id), StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException e) {
                // gone between the listing and the read: a node that just stopped
            }
        }
        return out;
    }

    /** The dashboard URL the master at {@code endpoint} published, if it did and coord answers. */
    public Optional<String> dashboardOf(String endpoint) {
        try {
            return Optional.of(
                    new String(client.getData().forPath(DASHBOARDS + "/" + endpoint), StandardCharsets.UTF_8));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Latch nodes are named {@code [protection-]latch-NNNNNNNNNN}; the lowest sequence leads. */
    private static String sequence(String child) {
        int i = child.lastIndexOf("latch-");
        return i < 0 ? child : child.substring(i + "latch-".length());
    }

    /** The registered workers' ids. */
    public List<String> workers() throws Exception {
        try {
            return client.getChildren().forPath(WORKERS).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (tokens != null) tokens.close();
        try {
            if (latch != null) latch.close(LeaderLatch.CloseMode.SILENT);
        } catch (Exception e) {
            LOG.debug("closing leader latch", e);
        }
        // The dashboard registration is not closed: that deletes it synchronously, which blocks while
        // coord has no quorum (a master is stopped after its workers). It is ephemeral: it goes
        // with the session when the client closes.
        try {
            if (workerNode != null) workerNode.close();
        } catch (Exception e) {
            LOG.debug("closing worker registration", e);
        }
        client.close();
    }
}
