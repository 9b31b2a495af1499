package dev.cairn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code DIR/cluster.json}: what {@code cluster up} started, for {@code down}, {@code status},
 * scripts and tests. Read with SnakeYAML (JSON is YAML), so the CLI needs no JSON library.
 *
 * <pre>{"master": "127.0.0.1:41234", "masters": ["127.0.0.1:41234"], "coordConnect": "127.0.0.1:40001,...",
 *  "dashboard": "http://127.0.0.1:41300/", "security": "/path/to/DIR/security",
 *  "nodes": [{"id": "master", "roles": ["master"], "pid": 4242, "endpoint": "127.0.0.1:41234",
 *             "ports": {"rpc": 41234, "http": 41300, "coord": 40001, "raft": 40002},
 *             "metrics": "http://127.0.0.1:41300/metrics", "log": "...", "dir": "..."}, ...]}</pre>
 *
 * <p>{@code dashboard} is the dashboard of the master that was active when the cluster came up
 * (a standby's redirects to the active one); {@code http} and {@code metrics} are absent for a
 * node serving no HTTP. {@code ports} names every port the node listens on: {@code rpc},
 * {@code http}, {@code coord} (ZooKeeper clients), {@code raft}, {@code store} (block transfers)
 * and {@code stream} (the stream exchange), each where the node runs it. {@code security} is present
 * for a cluster started with {@code --secure}: the directory of its CA certificate and the users'
 * material ({@link dev.cairn.common.security.SecurityLayout}); no key is ever in this file.
 */
record ClusterFile(
        String master, List<String> masters, String coordConnect, String dashboard, List<Node> nodes, String security) {
    ClusterFile(String master, List<String> masters, String coordConnect, String dashboard, List<Node> nodes) {
        this(master, masters, coordConnect, dashboard, nodes, null);
    }

    /** Whether the cluster's nodes speak only mutual TLS. */
    boolean secure() {
        return security != null;
    }

    /**
     * @param http {@code host:port} of the node's HTTP server (metrics; dashboard on a master), or null
     * @param ports every port the node listens on, by name
     * @param secure whether the node serves HTTPS rather than HTTP
     */
    record Node(
            String id,
            List<String> roles,
            long pid,
            String endpoint,
            String http,
            String log,
            String dir,
            Map<String, Integer> ports,
            boolean secure) {
        int port() {
            return portOf(endpoint);
        }

        /** {@code http://host:port/metrics} ({@code https} on a secure node), or null without HTTP. */
        String metrics() {
            return http == null ? null : scheme() + http + "/metrics";
        }

        /** {@code http://host:port/} ({@code https} on a secure node), or null without HTTP. */
        String dashboard() {
            return http == null ? null : scheme() + http + "/";
        }

        private String scheme() {
            return secure ? "https://" : "http://";
        }

        /** Every port, the RPC port first, then the HTTP port, then the rest as the node listed them. */
        Map<String, Integer> allPorts() {
            Map<String, Integer> all = new LinkedHashMap<>();
            all.put("rpc", port());
            if (http != null) all.put("http", portOf(http));
            all.putAll(ports);
            return all;
        }
    }

    private static int portOf(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    static Path path(Path dir) {
        return dir.resolve("cluster.json");
    }

    void write(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"master\": ").append(quote(master)).append(",\n  \"masters\": [");
        for (int i = 0; i < masters.size(); i++) sb.append(i > 0 ? ", " : "").append(quote(masters.get(i)));
        sb.append("],\n  \"coordConnect\": ").append(quote(coordConnect));
        if (dashboard != null) sb.append(",\n  \"dashboard\": ").append(quote(dashboard));
        if (security != null) sb.append(",\n  \"security\": ").append(quote(security));
        sb.append(",\n  \"nodes\": [\n");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            sb.append("    {\"id\": ").append(quote(n.id())).append(", \"roles\": [");
            for (int r = 0; r < n.roles().size(); r++)
                sb.append(r > 0 ? ", " : "").append(quote(n.roles().get(r)));
            sb.append("], \"pid\": ")
                    .append(n.pid())
                    .append(", \"endpoint\": ")
                    .append(quote(n.endpoint()))
                    .append(", \"ports\": {");
            String sep = "";
            for (Map.Entry<String, Integer> p : n.allPorts().entrySet()) {
                sb.append(sep).append(quote(p.getKey())).append(": ").append(p.getValue());
                sep = ", ";
            }
            sb.append('}');
            if (n.http() != null) sb.append(", \"http\": ").append(quote(n.http()));
            if (n.http() != null) sb.append(", \"metrics\": ").append(quote(n.metrics()));
            sb.append(", \"log\": ")
                    .append(quote(n.log()))
                    .append(", \"dir\": ")
                    .append(quote(n.dir()))
                    .append('}')
                    .append(i < nodes.size() - 1 ? ",\n" : "\n");
        }
        sb.append("  ]\n}\n");
        Path tmp = dir.resolve("cluster.json.tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, path(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @SuppressWarnings("unchecked")
    static ClusterFile read(Path dir) throws IOException {
        Path file = path(dir);
        if (!Files.exists(file)) throw new CliException("no cluster in " + dir + " (" + file + " not found)");
        Map<String, Object> root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (RuntimeException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        String security = (String) root.get("security");
        List<Node> nodes = new ArrayList<>();
        for (Map<String, Object> n : (List<Map<String, Object>>) root.get("nodes")) {
            Map<String, Integer> ports = new LinkedHashMap<>();
            if (n.get("ports") instanceof Map<?, ?> m)
                m.forEach((k, v) -> ports.put((String) k, ((Number) v).intValue()));
            nodes.add(new Node(
                    (String) n.get("id"),
                    (List<String>) n.get("roles"),
                    ((Number) n.get("pid")).longValue(),
                    (String) n.get("endpoint"),
                    (String) n.get("http"),
                    (String) n.get("log"),
                    (String) n.get("dir"),
                    ports,
                    security != null));
        }
        String master = (String) root.get("master");
        List<String> masters = root.get("masters") instanceof List<?> l ? (List<String>) l : List.of(master);
        return new ClusterFile(
                master, masters, (String) root.get("coordConnect"), (String) root.get("dashboard"), nodes, security);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
