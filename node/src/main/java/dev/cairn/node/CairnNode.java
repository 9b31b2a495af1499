package dev.cairn.node;

import dev.cairn.batch.internal.master.JobMaster;
import dev.cairn.batch.internal.master.MasterSettings;
import dev.cairn.batch.internal.worker.TaskWorker;
import dev.cairn.batch.internal.worker.WorkerSettings;
import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.internal.Channels;
import dev.cairn.rpc.internal.RpcServer;
import io.grpc.BindableService;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Cairn process: a single RPC server hosting the services of the roles the configuration
 * names. Roles are started in dependency order (the master before a co-located worker, so the
 * worker's first registration finds it) and stopped in reverse.
 */
public final class CairnNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CairnNode.class);
    private static final Set<String> KNOWN_ROLES = Set.of("master", "worker");

    private final String id;
    private final RpcServer server;
    private final Channels channels;
    private final JobMaster master;
    private final TaskWorker worker;

    private CairnNode(String id, RpcServer server, Channels channels, JobMaster master, TaskWorker worker) {
        this.id = id;
        this.server = server;
        this.channels = channels;
        this.master = master;
        this.worker = worker;
    }

    /** Starts a node; on failure nothing is left running. */
    public static CairnNode start(Config config, Clock clock) throws IOException {
        List<String> roles = config.get(NodeConfig.NODE_ROLES);
        for (String r : roles) {
            if (!KNOWN_ROLES.contains(r)) throw new IllegalArgumentException("unknown role '" + r + "' in node.roles; known: master, worker");
        }
        if (roles.isEmpty()) throw new IllegalArgumentException("node.roles is empty");
        String host = config.get(NodeConfig.NODE_HOST);
        int port = config.get(NodeConfig.NODE_PORT);
        if (port == 0) port = freePort(host);
        String endpoint = host + ":" + port;
        String id = config.get(NodeConfig.NODE_ID) != null ? config.get(NodeConfig.NODE_ID) : "node-" + port;
        Path dir = Path.of(config.get(NodeConfig.NODE_DIR)).toAbsolutePath();
        Files.createDirectories(dir);

        Channels channels = new Channels();
        JobMaster master = null;
        TaskWorker worker = null;
        RpcServer server = null;
        try {
            List<BindableService> services = new ArrayList<>();
            if (roles.contains("master")) {
                master = new JobMaster(new MasterSettings(dir.resolve("master"), config.get(NodeConfig.MASTER_WORKER_TIMEOUT),
                        config.get(NodeConfig.WORKER_HEARTBEAT_INTERVAL), config.get(NodeConfig.MASTER_SPLIT_SIZE),
                        config.get(NodeConfig.MASTER_MAX_ATTEMPTS), config.get(NodeConfig.MASTER_JOB_HISTORY)), clock);
                services.addAll(master.services());
            }
            if (roles.contains("worker")) {
                int slots = config.get(NodeConfig.WORKER_SLOTS);
                if (slots <= 0) slots = Runtime.getRuntime().availableProcessors();
                String masterEndpoint = roles.contains("master") ? endpoint : config.get(NodeConfig.MASTER_ADDRESS);
                worker = new TaskWorker(new WorkerSettings(id, endpoint, masterEndpoint, dir.resolve("worker"), slots,
                        config.get(NodeConfig.WORKER_SORT_BUFFER), config.get(NodeConfig.WORKER_COMBINE_ENTRIES),
                        config.get(NodeConfig.WORKER_SHUFFLE_MEMORY), config.get(NodeConfig.WORKER_FETCH_PARALLELISM),
                        config.get(NodeConfig.RPC_DEADLINE)), channels);
                services.addAll(worker.services());
            }
            server = RpcServer.start(host, port, services);
            if (worker != null) worker.start();
        } catch (IOException | RuntimeException e) {
            if (worker != null) worker.close();
            if (master != null) master.close();
            if (server != null) server.close();
            channels.close();
            throw e;
        }
        CairnNode node = new CairnNode(id, server, channels, master, worker);
        String endpointFile = config.get(NodeConfig.NODE_ENDPOINT_FILE);
        if (endpointFile != null) writeAtomically(Path.of(endpointFile), node.endpoint());
        LOG.info("node {} serving at {} with roles {}", id, node.endpoint(), roles);
        return node;
    }

    /**
     * With port 0 the worker must know its endpoint before the server starts (it registers it),
     * so the node asks the OS for a free port first.
     */
    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        }
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

    @Override
    public void close() {
        if (worker != null) worker.close();
        server.close();
        if (master != null) master.close();
        channels.close();
        LOG.info("node {} stopped", id);
    }
}
