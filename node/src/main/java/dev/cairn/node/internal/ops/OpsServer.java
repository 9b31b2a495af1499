package dev.cairn.node.internal.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.JulTlsRefusals;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP face: Prometheus metrics at {@code /metrics} on every node and, on a master, the
 * REST API under {@code /api} and the dashboard at {@code /} (static files bundled in the jar).
 * A standby master answers everything but {@code /metrics} with a 307 to the active master's
 * dashboard, which it finds through the election and the URL each master publishes in coord.
 *
 * <p>Why the JDK's {@code com.sun.net.httpserver}: it is in every JDK Cairn runs on, so the node
 * takes no server library (and no transitive dependencies to converge) for a handful of GETs;
 * each exchange runs on a virtual thread of its own, so a slow or stuck client holds one cheap
 * thread and nothing else. Nothing here touches a master's state: answers are built from
 * snapshots the master's loop hands out ({@link OpsSources}).
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    /** Longer request targets are refused with 400: nothing the API or the dashboard uses comes near. */
    static final int MAX_TARGET_LENGTH = 2048;

    /** The exchange attribute holding the request's authenticated {@link CairnPrincipal}. */
    private static final String CALLER = "cairn.caller";

    private static final Map<String, String> ASSETS = Map.of(
            "/static/app.js", "text/javascript; charset=utf-8",
            "/static/style.css", "text/css; charset=utf-8");

    private final HttpServer server;
    private final ExecutorService executor;
    private final OpsSources sources;
    private final RestApi api;
    private final NodeMetrics metrics;
    private final String host;
    private final String scheme;
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
    private final Optional<BearerTokens> tokens;

    private OpsServer(
            HttpServer server,
            ExecutorService executor,
            OpsSources sources,
            NodeMetrics metrics,
            String host,
            Clock clock,
            TransportSecurity security,
            Optional<BearerTokens> tokens) {
        this.server = server;
        this.tokens = tokens;
        this.scheme = server instanceof HttpsServer ? "https" : "http";
        this.executor = executor;
        this.sources = sources;
        this.api = new RestApi(
                sources,
                new ClusterApi(sources, clock, host + ":" + server.getAddress().getPort(), security));
        this.metrics = metrics;
        this.host = host;
    }

    /** Starts serving on {@code host:port} (0: a port the OS picks), with metrics of its own. */
    public static OpsServer start(String host, int port, OpsSources sources, Clock clock) throws IOException {
        return start(
                host,
                port,
                sources,
                clock,
                new NodeMetrics(sources.nodeId(), sources.roles()),
                TransportSecurity.plain());
    }

    /**
     * Starts serving on {@code host:port} (0: a port the OS picks), {@code metrics} at
     * {@code /metrics}, to which it adds the master's gauges (it closes them when it closes); with
     * mutual TLS, HTTPS only, to clients presenting a certificate of the cluster's CA.
     */
    public static OpsServer start(
            String host, int port, OpsSources sources, Clock clock, NodeMetrics metrics, TransportSecurity security)
            throws IOException {
        return start(host, port, sources, clock, metrics, security, Optional.empty());
    }

    /**
     * As {@link #start(String, int, OpsSources, Clock, NodeMetrics, TransportSecurity)}; with mutual
     * TLS and {@code tokens}, a client without a certificate is served when its request carries
     * {@code Authorization: Bearer <token>} of a valid token, and answered 401 with the reason otherwise.
     */
    public static OpsServer start(
            String host,
            int port,
            OpsSources sources,
            Clock clock,
            NodeMetrics metrics,
            TransportSecurity security,
            Optional<BearerTokens> tokens)
            throws IOException {
        HttpTimeouts.apply();
        InetSocketAddress address = new InetSocketAddress(host, port);
        HttpServer server;
        if (security instanceof TransportSecurity.MutualTls tls) {
            HttpsServer https = HttpsServer.create(address, 128);
            https.setHttpsConfigurator(new ClientCertificates(tls.context(), tokens.isPresent()));
            // The JDK's server reports a refused handshake only at JUL's FINER level.
            JulTlsRefusals.install(
                    "com.sun.net.httpserver", java.util.logging.Level.FINER, "HTTPS port", JulTlsRefusals::tlsFailure);
            server = https;
        } else {
            server = HttpServer.create(address, 128);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        metrics.bind(sources, clock);
        OpsServer ops = new OpsServer(server, executor, sources, metrics, host, clock, security, tokens);
        server.createContext("/", ops::handle);
        server.start();
        LOG.info("{} serving {} at {}", sources.nodeId(), ops.scheme.toUpperCase(java.util.Locale.ROOT), ops.url());
        return ops;
    }

    /** Closes {@code resource} (a client the sources read through) when this server closes. */
    public void closeWith(AutoCloseable resource) {
        owned.add(resource);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code host:port} of this server. */
    public String endpoint() {
        return host + ":" + port();
    }

    /** {@code http://host:port/} ({@code https} with TLS): the dashboard, on a master. */
    public String url() {
        return scheme + "://" + endpoint() + "/";
    }

    /**
     * HTTPS that requires a client certificate (or, when tokens are accepted, wants one: a
     * certificate sent must still be of the cluster's CA), with the protocols every Cairn endpoint allows.
     */
    private static final class ClientCertificates extends HttpsConfigurator {
        private final boolean tokens;

        ClientCertificates(SSLContext context, boolean tokens) {
            super(context);
            this.tokens = tokens;
        }

        @Override
        public void configure(HttpsParameters params) {
            SSLParameters p = getSSLContext().getDefaultSSLParameters();
            p.setProtocols(TlsMaterial.protocols());
            if (tokens) p.setWantClientAuth(true);
            else p.setNeedClientAuth(true);
            params.setSSLParameters(p);
        }
    }

    /**
     * Authenticates a request over HTTPS: by the client's certificate, or, without one, by its
     * bearer token. Records the principal for {@link #caller}.
     *
     * @return null when the request may proceed (plain HTTP included), else the one-line reason it may not
     */
    private String authenticate(HttpExchange ex) {
        if (!(ex instanceof HttpsExchange https)) return null;
        try {
            if (https.getSSLSession().getPeerCertificates().length > 0) {
                Optional<CairnPrincipal> p = CairnPrincipal.of(https.getSSLSession());
                if (p.isEmpty()) return "the client's certificate names no Cairn node or user";
                ex.setAttribute(CALLER, p.get());
                return null;
            }
        } catch (SSLPeerUnverifiedException e) {
            // No certificate: a token, if this server takes them.
        }
        if (tokens.isEmpty()) return "no client certificate";
        return switch (tokens.get()
                .authenticate(
                        ex.getRequestHeaders().getFirst("Authorization"),
                        "HTTPS port " + port(),
                        ex.getRemoteAddress())) {
            case BearerTokens.Outcome.Accepted a -> {
                ex.setAttribute(CALLER, a.principal());
                yield null;
            }
            case BearerTokens.Outcome.Refused r -> r.reason();
        };
    }

    /** Who sent the request being handled: empty on plain HTTP. */
    static Optional<CairnPrincipal> caller(HttpExchange ex) {
        return Optional.ofNullable((CairnPrincipal) ex.getAttribute(CALLER));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String refused = authenticate(ex);
            if (refused != null) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                send(ex, RestApi.Answer.error(401, refused));
                return;
            }
            String method = ex.getRequestMethod();
            String target = ex.getRequestURI().getRawPath();
            String rawQuery = ex.getRequestURI().getRawQuery();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, RestApi.Answer.error(405, "only GET and HEAD are served"));
                return;
            }
            int length = target.length() + (rawQuery == null ? 0 : rawQuery.length() + 1);
            if (length > MAX_TARGET_LENGTH) {
                send(ex, RestApi.Answer.error(400, "request target longer than " + MAX_TARGET_LENGTH + " characters"));
                return;
            }
            if (hasBody(ex)) {
                send(ex, RestApi.Answer.error(400, "a GET carries no body"));
                return;
            }
            Optional<CairnPrincipal> caller = caller(ex);
            if (ex instanceof HttpsExchange && caller.isEmpty()) {
                send(
                        ex,
                        RestApi.Answer.error(
                                403,
                                "the client's certificate names no Cairn node or user (subject CN=name, OU=node|user)"));
                return;
            }
            Map<String, String> query;
            try {
                query = parseQuery(rawQuery);
            } catch (IllegalArgumentException e) {
                send(ex, RestApi.Answer.error(400, "malformed query: " + e.getMessage()));
                return;
            }
            if (target.equals("/metrics")) {
                sendText(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                return;
            }
            // A node's own facts, on every node (a standby master's too): the active master gathers them.
            if (target.equals("/node")) {
                send(ex, RestApi.Answer.ok(NodeInfo.describe(sources)));
                return;
            }
            if (target.equals("/attempt-log")) {
                // Only the active master fetches attempt logs from workers, for a caller it has
                // checked against the job's owner: a user must ask the master, not the worker.
                if (caller.isPresent() && caller.get().kind() != CairnPrincipal.Kind.NODE) {
                    send(
                            ex,
                            RestApi.Answer.error(
                                    403,
                                    "permission denied: " + caller.get() + " may not view job "
                                            + query.getOrDefault("job", "") + " on a worker: its owner or an admin"
                                            + " reads attempt logs through the active master's /api/jobs"));
                    return;
                }
                try {
                    send(ex, RestApi.Answer.ok(NodeInfo.attemptLog(sources, query)));
                } catch (RestApi.ApiException e) {
                    send(ex, RestApi.Answer.error(e.status, e.getMessage()));
                }
                return;
            }
            if (target.equals("/log")) {
                try {
                    int lines = RestApi.intParam(query, "lines", NodeInfo.DEFAULT_LOG_LINES, 0, NodeInfo.MAX_LOG_LINES);
                    send(ex, RestApi.Answer.ok(NodeInfo.logTail(sources, lines)));
                } catch (RestApi.ApiException e) {
                    send(ex, RestApi.Answer.error(e.status, e.getMessage()));
                }
                return;
            }
            if (!sources.isMaster()) {
                send(
                        ex,
                        RestApi.Answer.error(
                                404, "this node serves only /metrics; the dashboard is on the active master"));
                return;
            }
            if (!sources.isActiveMaster()) {
                redirectToActive(ex, target, rawQuery);
                return;
            }
            if (target.startsWith("/api/") || target.equals("/api")) {
                try {
                    send(ex, api.get(target, query, caller));
                } catch (RuntimeException e) {
                    LOG.debug("cannot answer {}", target, e);
                    send(ex, RestApi.Answer.error(503, "the master cannot answer now: " + e.getMessage()));
                }
                return;
            }
            if (isPage(target)) {
                asset(ex, "/static/index.html", "text/html; charset=utf-8");
                return;
            }
            String type = ASSETS.get(target);
            if (type != null) {
                asset(ex, target, type);
                return;
            }
            send(ex, RestApi.Answer.error(404, "not found: " + target));
        } catch (IOException | RuntimeException e) {
            LOG.debug("HTTP exchange failed", e);
        }
    }

    /** The dashboard's pages: one HTML file, whose script draws the page the path names. */
    private static boolean isPage(String target) {
        return target.equals("/")
                || target.equals("/jobs")
                || target.startsWith("/jobs/")
                || target.equals("/nodes")
                || target.startsWith("/nodes/")
                || target.equals("/store")
                || target.equals("/coord");
    }

    private static boolean hasBody(HttpExchange ex) {
        if (ex.getRequestHeaders().containsKey("Transfer-encoding")) return true;
        String length = ex.getRequestHeaders().getFirst("Content-length");
        return length != null && !length.trim().equals("0");
    }

    private void redirectToActive(HttpExchange ex, String target, String rawQuery) throws IOException {
        Optional<String> url = sources.activeMaster()
                .filter(m -> !m.equals(sources.endpoint()))
                .flatMap(sources::dashboardOf);
        if (url.isEmpty()) {
            send(ex, RestApi.Answer.error(503, "this master is a standby and no active master is known yet"));
            return;
        }
        String base = url.get().endsWith("/") ? url.get().substring(0, url.get().length() - 1) : url.get();
        ex.getResponseHeaders().set("Location", base + target + (rawQuery == null ? "" : "?" + rawQuery));
        send(ex, RestApi.Answer.error(307, "this master is a standby; the active master's dashboard is at " + base));
    }

    private void asset(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = OpsServer.class.getResourceAsStream("dashboard" + name)) {
            if (in == null) {
                send(ex, RestApi.Answer.error(404, "not found: " + name));
                return;
            }
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            write(ex, 200, body);
        }
    }

    private static void send(HttpExchange ex, RestApi.Answer answer) throws IOException {
        answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        sendText(ex, answer.status(), "application/json; charset=utf-8", answer.json());
    }

    private static void sendText(HttpExchange ex, int status, String type, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        write(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** {@code a=1&b=x}, percent-decoded; a malformed escape is an {@link IllegalArgumentException}. */
    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        metrics.close();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {}", c, e);
            }
        }
    }
}
