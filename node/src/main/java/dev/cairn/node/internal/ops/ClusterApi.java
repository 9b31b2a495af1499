package dev.cairn.node.internal.ops;

import dev.cairn.batch.WorkerStatus;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.store.FsckReport;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreNodeStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The cluster half of the REST API on the active master: nodes, coord members and the store. A
 * node's own facts (roles, heap, disk, its coord member's status, its log) come from that node's
 * HTTP server ({@code /node}, {@code /log}; each node publishes where it serves in coord), asked in
 * parallel with a short timeout, so one stuck node leaves the others listed. Slots, state and
 * running tasks come from the batch master's snapshot of its workers.
 */
final class ClusterApi {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterApi.class);
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** How long a node's {@code /node} or {@code /log} may take before it is shown as unreachable. */
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
    /** fsck walks the namespace and asks every store node for its block report: its answer is kept this long. */
    static final Duration STORE_CACHE = Duration.ofSeconds(5);
    /** A node's answer larger than this is refused: a node's JSON is small, a log tail bounded. */
    private static final int MAX_NODE_ANSWER = 4 << 20;

    private final OpsSources sources;
    private final Clock clock;
    private final String selfHttp;
    private final HttpClient http;
    /** "http", or "https" when nodes serve HTTPS to holders of the cluster's certificates. */
    private final String scheme;

    private long storeAtNanos;
    private Map<String, Object> storeCached;

    ClusterApi(OpsSources sources, Clock clock, String selfHttp, TransportSecurity security) {
        this.sources = sources;
        this.clock = clock;
        this.selfHttp = selfHttp;
        HttpClient.Builder builder =
                HttpClient.newBuilder().connectTimeout(NODE_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        // In a secure cluster every node's HTTP server wants a client certificate: the node's own.
        if (security instanceof TransportSecurity.MutualTls tls) builder.sslContext(tls.context());
        this.scheme = security.enabled() ? "https" : "http";
        this.http = builder.build();
    }

    /** Every node: what the batch master knows of it (workers) merged with what it says of itself. */
    List<Map<String, Object>> nodes() throws Exception {
        Map<String, String> endpoints = sources.httpEndpoints(selfHttp);
        Map<String, CompletableFuture<Map<String, Object>>> asked = new TreeMap<>();
        for (Map.Entry<String, String> e : endpoints.entrySet()) asked.put(e.getKey(), askJson(e.getValue(), "/node"));
        Map<String, WorkerStatus> workers = new TreeMap<>();
        for (WorkerStatus w : sources.batch().workers()) workers.put(w.workerId(), w);
        TreeMap<String, Map<String, Object>> out = new TreeMap<>();
        for (Map.Entry<String, CompletableFuture<Map<String, Object>>> e : asked.entrySet()) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("id", e.getKey());
            n.put("http", endpoints.get(e.getKey()));
            try {
                n.putAll(e.getValue().get());
                n.put("reachable", true);
            } catch (Exception ex) {
                n.put("reachable", false);
                n.put("error", "cannot ask the node: " + rootMessage(ex));
            }
            out.put(e.getKey(), n);
        }
        for (Map.Entry<String, Map<String, Object>> e : out.entrySet())
            addWorker(e.getValue(), workers.get(e.getKey()));
        // A worker the master knows but that published no HTTP server (dead, or it serves none).
        for (WorkerStatus w : workers.values()) {
            if (out.containsKey(w.workerId())) continue;
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("id", w.workerId());
            n.put("http", null);
            n.put("roles", List.of("worker"));
            n.put("endpoint", w.endpoint());
            n.put("reachable", false);
            addWorker(n, w);
            out.put(w.workerId(), n);
        }
        for (Map<String, Object> n : out.values()) n.putIfAbsent("state", "UP");
        return new ArrayList<>(out.values());
    }

    private static void addWorker(Map<String, Object> n, WorkerStatus w) {
        if (w == null) return;
        // The batch master's view decides a worker's state: it is what scheduling acts on.
        n.put("state", w.state());
        n.put("slots", w.slots());
        n.put("running", w.running());
        n.put("lastHeartbeatMsAgo", w.lastHeartbeatMsAgo());
    }

    /** One node, or a 404. */
    Map<String, Object> node(String id) throws Exception {
        checkNodeId(id);
        for (Map<String, Object> n : nodes()) if (n.get("id").equals(id)) return n;
        throw new RestApi.ApiException(404, "no such node: " + id);
    }

    /** The tail of a node's log, read by that node: a 404 if the node is unknown or logs to no file it knows. */
    Map<String, Object> log(String id, int lines) throws Exception {
        checkNodeId(id);
        String endpoint = sources.httpEndpoints(selfHttp).get(id);
        if (endpoint == null) {
            boolean worker = sources.batch().workers().stream()
                    .anyMatch(w -> w.workerId().equals(id));
            throw new RestApi.ApiException(
                    worker ? 503 : 404,
                    worker ? "node " + id + " has no HTTP server published (it may be dead)" : "no such node: " + id);
        }
        try {
            return askJson(endpoint, "/log?lines=" + lines).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RestApi.ApiException api) throw api;
            throw new RestApi.ApiException(503, "cannot read the log of " + id + ": " + rootMessage(e));
        }
    }

    /**
     * What a task attempt logged, from the worker that ran it: every node is asked (the master does
     * not remember where a failed attempt ran), in parallel; a 404 if none keeps it.
     */
    Map<String, Object> attemptLog(String job, String task, int attempt) throws Exception {
        Map<String, String> endpoints = sources.httpEndpoints(selfHttp);
        String query = "/attempt-log?job=" + job + "&task=" + task + "&attempt=" + attempt;
        List<CompletableFuture<Map<String, Object>>> asked = new ArrayList<>();
        for (String endpoint : endpoints.values()) asked.add(askJson(endpoint, query));
        for (CompletableFuture<Map<String, Object>> f : asked) {
            try {
                return f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.debug("a node has no log of {} attempt {}", task, attempt, e);
            }
        }
        throw new RestApi.ApiException(
                404,
                "no live worker keeps a log of attempt " + attempt + " of " + task + " of " + job
                        + " (a worker keeps only its latest attempts' logs, in memory)");
    }

    /** The coord members, as each member node says of itself. */
    Map<String, Object> coord() throws Exception {
        List<Object> members = new ArrayList<>();
        String leader = null;
        for (Map<String, Object> n : nodes()) {
            if (!(n.get("coord") instanceof Map<?, ?> c)) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", n.get("id"));
            c.forEach((k, v) -> m.put(String.valueOf(k), v));
            if (Boolean.TRUE.equals(c.get("leader"))) leader = String.valueOf(c.get("member"));
            members.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("leader", leader);
        out.put("members", members);
        return out;
    }

    /** Store nodes' capacity and use, and the namespace's block health (fsck of {@code /}), kept {@link #STORE_CACHE}. */
    synchronized Map<String, Object> store() throws IOException {
        if (sources.store() == null) throw new RestApi.ApiException(404, "this cluster runs no store");
        long now = clock.nanos();
        if (storeCached != null && now - storeAtNanos < STORE_CACHE.toNanos()) return storeCached;
        StoreClient client = sources.store().client();
        List<Object> nodes = new ArrayList<>();
        long free = 0, used = 0, blocks = 0;
        for (StoreNodeStatus s : client.nodes()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", s.id());
            e.put("dataAddress", s.dataAddress());
            e.put("freeBytes", s.freeBytes());
            e.put("usedBytes", s.usedBytes());
            e.put("capacityBytes", s.freeBytes() + s.usedBytes());
            e.put("blocks", s.blocks());
            free += s.freeBytes();
            used += s.usedBytes();
            blocks += s.blocks();
            nodes.add(e);
        }
        FsckReport fsck = client.fsck("/");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("capacityBytes", free + used);
        out.put("usedBytes", used);
        out.put("freeBytes", free);
        out.put("replicas", blocks);
        out.put("files", fsck.files());
        out.put("blocks", fsck.blocks());
        out.put("bytes", fsck.bytes());
        out.put("liveNodes", fsck.liveNodes());
        out.put("underReplicated", fsck.underReplicated());
        out.put("belowReplicationForLackOfNodes", fsck.belowForLackOfNodes());
        out.put("corruptReplicas", fsck.corruptReplicas());
        out.put("missing", fsck.missing());
        out.put("healthy", fsck.healthy());
        List<Object> problems = new ArrayList<>();
        for (FsckReport.Problem p :
                fsck.problems().subList(0, Math.min(100, fsck.problems().size()))) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("path", p.path());
            e.put("block", p.blockId());
            e.put("kind", p.kind().name());
            e.put("detail", p.detail());
            problems.add(e);
        }
        out.put("problems", problems);
        out.put("nodes", nodes);
        out.put("checkedAt", clock.millis());
        storeCached = out;
        storeAtNanos = now;
        return out;
    }

    private static void checkNodeId(String id) {
        if (!NODE_ID.matcher(id).matches()) throw new RestApi.ApiException(400, "malformed node id: " + id);
    }

    /** GETs {@code path} of a node's HTTP server: its JSON object, or a failed future (a 404 as an ApiException). */
    private CompletableFuture<Map<String, Object>> askJson(String hostPort, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://" + hostPort + path))
                .timeout(NODE_TIMEOUT)
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            if (r.body().length() > MAX_NODE_ANSWER)
                throw new IllegalStateException("answer of " + r.body().length() + " characters");
            Map<String, Object> body = parse(r.body());
            if (r.statusCode() != 200) {
                Object error = body == null ? null : body.get("error");
                throw new RestApi.ApiException(
                        r.statusCode() == 404 ? 404 : 503,
                        error == null ? "HTTP " + r.statusCode() : String.valueOf(error));
            }
            if (body == null) throw new IllegalStateException("not a JSON object");
            return body;
        });
    }

    /** Reads a node's answer (JSON, which YAML 1.1 reads too); null if it is not an object. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_NODE_ANSWER);
        Object o = new Yaml(options).load(json);
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c.getCause() != null && depth < 10; depth++) c = c.getCause();
        String m = c.getMessage();
        LOG.debug("a node did not answer", t);
        return m == null ? c.getClass().getSimpleName() : m;
    }
}
