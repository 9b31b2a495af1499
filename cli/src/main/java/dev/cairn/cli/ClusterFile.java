package dev.cairn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
 *  "dashboard": "http://127.0.0.1:41300/",
 *  "nodes": [{"id": "master", "roles": ["master"], "pid": 4242, "endpoint": "127.0.0.1:41234",
 *             "ports": {"rpc": 41234, "http": 41300}, "metrics": "http://127.0.0.1:41300/metrics",
 *             "log": "...", "dir": "..."}, ...]}</pre>
 *
 * <p>{@code dashboard} is the dashboard of the master that was active when the cluster came up
 * (a standby's redirects to the active one); {@code http} and {@code metrics} are absent for a
 * node serving no HTTP.
 */
record ClusterFile(String master, List<String> masters, String coordConnect, String dashboard, List<Node> nodes) {
    /** @param http {@code host:port} of the node's HTTP server (metrics; dashboard on a master), or null */
    record Node(String id, List<String> roles, long pid, String endpoint, String http, String log, String dir) {
        int port() {
            return portOf(endpoint);
        }

        /** {@code http://host:port/metrics}, or null without HTTP. */
        String metrics() {
            return http == null ? null : "http://" + http + "/metrics";
        }

        /** {@code http://host:port/}, or null without HTTP. */
        String dashboard() {
            return http == null ? null : "http://" + http + "/";
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
                    .append(", \"ports\": {\"rpc\": ")
                    .append(n.port());
            if (n.http() != null) sb.append(", \"http\": ").append(portOf(n.http()));
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
        List<Node> nodes = new ArrayList<>();
        for (Map<String, Object> n : (List<Map<String, Object>>) root.get("nodes")) {
            nodes.add(new Node(
                    (String) n.get("id"),
                    (List<String>) n.get("roles"),
                    ((Number) n.get("pid")).longValue(),
                    (String) n.get("endpoint"),
                    (String) n.get("http"),
                    (String) n.get("log"),
                    (String) n.get("dir")));
        }
        String master = (String) root.get("master");
        List<String> masters = root.get("masters") instanceof List<?> l ? (List<String>) l : List.of(master);
        return new ClusterFile(
                master, masters, (String) root.get("coordConnect"), (String) root.get("dashboard"), nodes);
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
