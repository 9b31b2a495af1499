package dev.cairn.rpc;

import dev.cairn.common.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line for each connection a TLS gRPC server refuses (plain text, no certificate, another
 * CA's): gRPC's Netty transport reports a failed handshake only at JUL's FINER level, which no one
 * sees, so this handler takes those records and logs them as warnings through SLF4J, at most one
 * a second with the count of those left out.
 */
final class TlsRefusalLog extends Handler {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
    /** The JUL logger of gRPC's TLS negotiation (shaded Netty transport). */
    private static final java.util.logging.Logger NEGOTIATORS =
            java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators");

    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static boolean installed;

    private long nextNanos;
    private long suppressed;
    private boolean logged;

    private TlsRefusalLog() {}

    /** Installs the handler once per process. */
    static synchronized void install() {
        if (installed) return;
        installed = true;
        NEGOTIATORS.setLevel(Level.FINER);
        NEGOTIATORS.addHandler(new TlsRefusalLog());
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        if (message == null || !message.startsWith("TLS negotiation failed")) return;
        Throwable cause = record.getThrown();
        String why = cause == null ? "TLS handshake failed" : firstLine(cause);
        long now = Clock.system().nanos();
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
                "refused a connection on the secure RPC port: {}{}",
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
