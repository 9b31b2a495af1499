package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.WorkerStatus;
import dev.cairn.common.net.FreePorts;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "cluster",
        description = "Run a cluster of separate node processes on this machine.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class})
final class ClusterCommand {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String NODE_MARK = "-Dcairn.node=";
    /** Where a cluster's stream jobs keep their checkpoints: in its store. */
    static final String STREAM_CHECKPOINTS = "cairn:///cairn/stream/checkpoints";

    @Command(
            name = "up",
            description = {
                "Start masters and N workers as background processes; return once all are healthy.",
                "The first three processes (or just the first, with fewer than three) also form the coord group;",
                "masters run for election through it and workers find the active master there."
            })
    static final class Up implements Callable<Integer> {
        @Option(
                names = "--nodes",
                defaultValue = "2",
                paramLabel = "N",
                description = "Number of worker nodes (default ${DEFAULT-VALUE}).")
        int nodes;

        @Option(
                names = "--masters",
                defaultValue = "1",
                paramLabel = "M",
                description =
                        "Number of masters (default ${DEFAULT-VALUE}); one is active, the others stand by and take over when it dies.")
        int masters;

        @Option(
                names = "--dir",
                required = true,
                paramLabel = "DIR",
                description = "Pid files, logs, node data and cluster.json go here.")
        Path dir;

        @Option(
                names = "--slots",
                paramLabel = "S",
                description = "Task slots per worker (default: processors / N, at least 1).")
        Integer slots;

        @Option(
                names = "--jvm-opts",
                paramLabel = "OPTS",
                description = "JVM options of each node (default: $CAIRN_NODE_OPTS, else -Xmx1g).")
        String jvmOpts;

        @Option(
                names = "--worker-heap",
                paramLabel = "SIZE",
                description = "Maximum heap of each worker node, e.g. 128m (-XmxSIZE after the JVM options, so it wins;"
                        + " masters keep theirs). Keyed state on RocksDB (--state-backend rocksdb) lives off the heap.")
        String workerHeap;

        @Option(
                names = "-D",
                paramLabel = "KEY=VALUE",
                description = "Configuration for every node (see 'cairn config').")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Option(
                names = "--secure",
                description =
                        "Mutual TLS on every port: makes the CA, an 'admin' user and a certificate per node under"
                                + " DIR/security if missing ('cairn security init'); commands given --dir DIR then act as admin.")
        boolean secure;

        /** The CA of a secure cluster, once made or loaded. */
        private CertificateAuthority ca;

        @Override
        public Integer call() throws Exception {
            if (nodes < 1) throw new CliException("--nodes must be at least 1");
            if (masters < 1) throw new CliException("--masters must be at least 1");
            dir = dir.toAbsolutePath().normalize();
            if (Files.exists(ClusterFile.path(dir))) {
                ClusterFile old = ClusterFile.read(dir);
                if (old.nodes().stream().anyMatch(n -> alive(n.pid()))) {
                    throw new CliException("a cluster is already running in " + dir
                            + "; stop it with 'cairn cluster down --dir " + dir + "'");
                }
            }
            if (workerHeap != null && !workerHeap.matches("[1-9][0-9]*[kKmMgG]?"))
                throw new CliException("--worker-heap must be a size such as 128m or 1g, got '" + workerHeap + "'");
            Files.createDirectories(dir);
            if (secure) ca = SecurityCommand.initialize(dir);
            TransportSecurity client = secure
                    ? ClientSecurity.forUser(SecurityLayout.under(dir), ClientSecurity.ADMIN)
                    : TransportSecurity.plain();
            String security = secure ? SecurityLayout.under(dir).root().toString() : null;
            int perWorker =
                    slots != null ? slots : Math.max(1, Runtime.getRuntime().availableProcessors() / nodes);
            String opts = jvmOpts != null
                    ? jvmOpts
                    : Optional.ofNullable(System.getenv("CAIRN_NODE_OPTS")).orElse("-Xmx1g");
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= masters; i++) ids.add(masters == 1 ? "master" : "master-" + i);
            for (int i = 1; i <= nodes; i++) ids.add("worker-" + i);
            // Three coord members tolerate one failure; two would tolerate none, so fewer processes get one member.
            int coordCount = ids.size() >= 3 ? 3 : 1;
            List<String> members = new ArrayList<>();
            List<String> clientEndpoints = new ArrayList<>();
            Map<String, Integer> raftPorts = new LinkedHashMap<>();
            for (int i = 0; i < coordCount; i++) {
                int raft = FreePorts.pick("127.0.0.1");
                int coordClient = FreePorts.pick("127.0.0.1");
                members.add(ids.get(i) + "@127.0.0.1:" + raft + ":" + coordClient);
                clientEndpoints.add("127.0.0.1:" + coordClient);
                raftPorts.put(ids.get(i), raft);
            }
            String coordConnect = String.join(",", clientEndpoints);
            List<ClusterFile.Node> started = new ArrayList<>();
            String dashboard;
            try {
                for (int i = 0; i < ids.size(); i++) {
                    String id = ids.get(i);
                    List<String> roles = new ArrayList<>();
                    if (i < coordCount) roles.add("coord");
                    // Worker nodes hold the store's blocks too: tasks then read their input where it lies.
                    if (!id.startsWith("master")) roles.add("store");
                    roles.add(id.startsWith("master") ? "master" : "worker");
                    String nodeOpts =
                            workerHeap != null && !id.startsWith("master") ? opts + " -Xmx" + workerHeap : opts;
                    started.add(launch(id, roles, members, raftPorts.get(id), perWorker, nodeOpts));
                }
                List<String> masterEndpoints = started.subList(0, masters).stream()
                        .map(ClusterFile.Node::endpoint)
                        .toList();
                new ClusterFile(
                                masterEndpoints.getFirst(),
                                masterEndpoints,
                                coordConnect,
                                started.getFirst().dashboard(),
                                started,
                                security)
                        .write(dir);
                String active = awaitWorkers(masterEndpoints, nodes, started, client);
                dashboard = started.stream()
                        .filter(n -> n.endpoint().equals(active))
                        .findFirst()
                        .map(ClusterFile.Node::dashboard)
                        .orElse(started.getFirst().dashboard());
                new ClusterFile(masterEndpoints.getFirst(), masterEndpoints, coordConnect, dashboard, started, security)
                        .write(dir);
            } catch (Exception e) {
                for (ClusterFile.Node n : started) stop(n);
                throw e;
            }
            System.out.printf(
                    "cluster up: %s %s, %d workers x %d slots, coord %s; %s%n",
                    masters == 1 ? "master" : "masters",
                    String.join(
                            ",",
                            started.subList(0, masters).stream()
                                    .map(ClusterFile.Node::endpoint)
                                    .toList()),
                    nodes,
                    perWorker,
                    coordConnect,
                    ClusterFile.path(dir));
            if (dashboard != null) System.out.printf("dashboard: %s%n", dashboard);
            if (secure)
                System.out.printf(
                        "secure: mutual TLS on every port; commands given --dir %s act as admin (%s)%n",
                        dir, SecurityLayout.under(dir).user(ClientSecurity.ADMIN));
            return 0;
        }

        private ClusterFile.Node launch(
                String id, List<String> roles, List<String> coordMembers, Integer raftPort, int perWorker, String opts)
                throws IOException {
            Path nodeDir = dir.resolve(id);
            Files.createDirectories(nodeDir);
            Path endpointFile = dir.resolve(id + ".endpoint");
            Files.deleteIfExists(endpointFile);
            Path conf = dir.resolve(id + ".yaml");
            StringBuilder yaml = new StringBuilder();
            yaml.append("node.id: ")
                    .append(id)
                    .append('\n')
                    .append("node.roles: [")
                    .append(String.join(", ", roles))
                    .append("]\n")
                    .append("node.port: 0\n")
                    .append("node.dir: '")
                    .append(nodeDir)
                    .append("'\n")
                    .append("node.endpoint-file: '")
                    .append(endpointFile)
                    .append("'\n")
                    .append("node.log-file: '")
                    .append(dir.resolve(id + ".log"))
                    .append("'\n")
                    // Every node serves /metrics, a master its dashboard too, on a port the OS picks.
                    .append("node.http-port: 0\n")
                    .append("master.http-port: 0\n")
                    .append("worker.slots: ")
                    .append(perWorker)
                    .append('\n')
                    // Every master sees one stream directory: the submitted stream jobs.
                    .append("stream.dir: '")
                    .append(dir.resolve("stream").toAbsolutePath())
                    .append("'\n")
                    // Checkpoints and savepoints in the store, which every worker runs: they survive
                    // the loss of any one machine, as a local directory would not off this host.
                    .append("stream.checkpoint-dir: '")
                    .append(STREAM_CHECKPOINTS)
                    .append("'\n");
            yaml.append("coord.members: [")
                    .append(String.join(", ", coordMembers))
                    .append("]\n");
            if (secure) {
                SecurityLayout layout = SecurityLayout.under(dir);
                Path identity = SecurityCommand.ensureNode(ca, dir, id, SecurityCommand.LOCAL_HOSTS);
                yaml.append("security.enabled: true\n")
                        .append("security.identity: '")
                        .append(identity)
                        .append("'\n")
                        .append("security.trust: '")
                        .append(layout.caCertificate())
                        .append("'\n");
            }
            Files.writeString(conf, yaml, StandardCharsets.UTF_8);

            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            // First on the line: the kernel may truncate a long command line, and alive() looks for this mark.
            cmd.add(NODE_MARK + id);
            // Flags this JVM was started with for the libraries' sake (see bin/java-env.sh) apply to nodes too.
            for (String a :
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("--sun-misc-unsafe-memory-access") || a.startsWith("--enable-native-access"))
                    cmd.add(a);
            }
            for (String o : opts.trim().split("\\s+", -1)) if (!o.isEmpty()) cmd.add(o);
            cmd.add("-Dcairn.home=" + CairnHome.get());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
            cmd.add("node");
            cmd.add("--conf");
            cmd.add(conf.toString());
            overrides.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            Path log = dir.resolve(id + ".log");
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Files.writeString(dir.resolve(id + ".pid"), p.pid() + "\n");
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!Files.exists(endpointFile)) {
                if (!p.isAlive())
                    throw new CliException(id + " exited with status " + p.exitValue() + " during start; last lines of "
                            + log + ":\n" + tail(log, 15));
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new CliException(
                            id + " did not start within " + START_TIMEOUT.toSeconds() + " s; see " + log);
                }
                LockSupport.parkNanos(50_000_000L);
            }
            // Line 1: the RPC endpoint; then "http=host:port" if the node serves HTTP, and "port.NAME=N" lines.
            List<String> lines = Files.readAllLines(endpointFile, StandardCharsets.UTF_8);
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String l : lines.subList(1, lines.size())) {
                String line = l.trim();
                if (!line.startsWith("port.") || line.indexOf('=') < 0) continue;
                String name = line.substring("port.".length(), line.indexOf('='));
                if (!name.equals("rpc") && !name.equals("http"))
                    ports.put(name, Integer.parseInt(line.substring(line.indexOf('=') + 1)));
            }
            if (raftPort != null) ports.put("raft", raftPort);
            String endpoint = lines.getFirst().trim();
            String http = lines.stream()
                    .skip(1)
                    .map(String::trim)
                    .filter(l -> l.startsWith("http="))
                    .map(l -> l.substring("http=".length()))
                    .findFirst()
                    .orElse(null);
            return new ClusterFile.Node(
                    id, roles, p.pid(), endpoint, http, log.toString(), nodeDir.toString(), ports, secure);
        }

        /** Until the elected master (whichever it is) sees every worker alive; returns that master. */
        private String awaitWorkers(
                List<String> masterEndpoints,
                int expected,
                List<ClusterFile.Node> started,
                TransportSecurity security) {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (true) {
                for (String m : masterEndpoints) {
                    try (BatchClient client = BatchClient.connect(m, security)) {
                        long alive = client.workers().stream()
                                .filter(w -> w.state().equals("ALIVE"))
                                .count();
                        if (alive >= expected) return m;
                    } catch (RuntimeException e) {
                        // not elected yet, a standby, or still warming up: retry until the deadline
                    }
                }
                for (ClusterFile.Node n : started) {
                    if (!alive(n.pid()))
                        throw new CliException(n.id() + " exited during start; last lines of " + n.log() + ":\n"
                                + tail(Path.of(n.log()), 15));
                }
                if (System.nanoTime() > deadline)
                    throw new CliException(
                            "no elected master saw all workers within " + START_TIMEOUT.toSeconds() + " s");
                LockSupport.parkNanos(100_000_000L);
            }
        }
    }

    @Command(name = "down", description = "Stop every node of the cluster in DIR (SIGTERM, then SIGKILL after 15 s).")
    static final class Down implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            ClusterFile cluster = ClusterFile.read(dir);
            List<ClusterFile.Node> reversed = new ArrayList<>(cluster.nodes());
            java.util.Collections.reverse(reversed);
            for (ClusterFile.Node n : reversed) {
                boolean was = stop(n);
                Files.deleteIfExists(dir.resolve(n.id() + ".pid"));
                Files.deleteIfExists(dir.resolve(n.id() + ".endpoint"));
                System.out.printf("%-10s %s%n", n.id(), was ? "stopped" : "was not running");
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show each node's process and what the master thinks of it.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR")
        Path dir;

        @Option(names = "--as", paramLabel = "USER", description = "On a secure cluster, act as USER (default admin).")
        String as;

        @Override
        public Integer call() throws Exception {
            ClusterFile cluster = ClusterFile.read(dir);
            TransportSecurity security = ClientSecurity.forCluster(dir, as);
            Map<String, WorkerStatus> view = new LinkedHashMap<>();
            String active = null;
            for (String m : cluster.masters()) {
                try (BatchClient client = BatchClient.connect(m, security)) {
                    for (WorkerStatus w : client.workers()) view.put(w.workerId(), w);
                    active = m;
                    break;
                } catch (RuntimeException e) {
                    // a standby or a dead master: ask the next
                }
            }
            String masterNote = active == null ? "no active master among " + cluster.masters() : "";
            System.out.printf(
                    "%-10s %-14s %-8s %-8s %-22s %s%n", "NODE", "ROLES", "PID", "PROCESS", "ENDPOINT", "MASTER SAYS");
            boolean allUp = true;
            for (ClusterFile.Node n : cluster.nodes()) {
                boolean alive = alive(n.pid());
                allUp &= alive;
                String says;
                if (n.roles().contains("worker")) {
                    WorkerStatus w = view.get(n.id());
                    says = w == null
                            ? (masterNote.isEmpty() ? "not registered" : "?")
                            : w.state() + " (last heartbeat " + w.lastHeartbeatMsAgo() / 1000.0 + " s ago, "
                                    + w.running() + "/" + w.slots() + " slots busy)";
                } else {
                    says = n.endpoint().equals(active) ? "active master" : alive ? "standby master" : "-";
                }
                System.out.printf(
                        "%-10s %-14s %-8d %-8s %-22s %s%n",
                        n.id(), String.join(",", n.roles()), n.pid(), alive ? "running" : "DEAD", n.endpoint(), says);
            }
            System.out.println("coord: " + cluster.coordConnect());
            if (!masterNote.isEmpty()) System.out.println(masterNote);
            return allUp && masterNote.isEmpty() ? 0 : 3;
        }
    }

    /** A live process with this pid that is a Cairn node (pids get reused). */
    static boolean alive(long pid) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().map(c -> c.contains(NODE_MARK)).orElse(true))
                .orElse(false);
    }

    static boolean stop(ClusterFile.Node n) {
        Optional<ProcessHandle> h = ProcessHandle.of(n.pid()).filter(p -> alive(n.pid()));
        if (h.isEmpty()) return false;
        ProcessHandle p = h.get();
        p.destroy();
        try {
            p.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
        }
        return true;
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }
}
