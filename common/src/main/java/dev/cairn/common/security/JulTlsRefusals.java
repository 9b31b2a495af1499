package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line for each connection a TLS server built on a library refuses (plain text, no
 * certificate, another CA's) where the library reports failed handshakes only as fine-grained
 * java.util.logging records that no one sees: gRPC's Netty transport, the JDK's HTTPS server. This
 * handler takes the records that mean a refusal and logs them as warnings through SLF4J, at most one
 * a second per server with the count of those left out.
 */
public final class JulTlsRefusals extends Handler {
    private static final Logger LOG = LoggerFactory.getLogger(JulTlsRefusals.class);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Loggers we changed, held so their level is not lost when JUL drops unreferenced loggers. */
    private static final Map<String, java.util.logging.Logger> INSTALLED = new HashMap<>();

    private final String port;
    private final Predicate<LogRecord> refusal;
    private final Clock clock;
    private long nextNanos;
    private long suppressed;
    private boolean logged;

    private JulTlsRefusals(String port, Predicate<LogRecord> refusal, Clock clock) {
        this.port = port;
        this.refusal = refusal;
        this.clock = clock;
    }

    /**
     * Logs the refusals that {@code julLogger} reports at {@code level} or above, once per process
     * and logger.
     *
     * @param port what the server is, for the line: "RPC port", "HTTPS port 8443"
     * @param refusal which records report a refused connection
     */
    public static synchronized void install(String julLogger, Level level, String port, Predicate<LogRecord> refusal) {
        if (INSTALLED.containsKey(julLogger)) return;
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(julLogger);
        logger.setLevel(level);
        logger.addHandler(new JulTlsRefusals(port, refusal, Clock.system()));
        INSTALLED.put(julLogger, logger);
    }

    /** Whether {@code record} carries a TLS failure anywhere in its exception's causes. */
    public static boolean tlsFailure(LogRecord record) {
        Throwable t = record.getThrown();
        // Bounded: a cause chain that loops back on itself ends the walk.
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) return true;
        }
        return false;
    }

    @Override
    public void publish(LogRecord record) {
        if (!refusal.test(record)) return;
        String why = record.getThrown() == null ? "TLS handshake failed" : firstLine(record.getThrown());
        long now = clock.nanos();
        long dropped;
        synchronized (this) {
            if (logged && now - nextNanos < 0) {
                suppressed++;
                return;
            }
            logged = true;
            nextNanos = now + INTERVAL_NANOS;
            dropped = suppressed;
            suppressed = 0;
        }
        LOG.warn(
                "refused a connection on the secure {}: {}{}",
                port,
                why,
                dropped == 0 ? "" : " (" + dropped + " more refusals in the last second not logged)");
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
