package dev.cairn.node.internal.ops;

import java.util.Map;

/**
 * Bounds on what a slow or stuck HTTP client can hold, set through the JDK server's own system
 * properties before the first server is made (it reads them once, when its configuration class
 * loads): a request not read whole within {@link #MAX_REQUEST_SECONDS} and a response not written
 * whole within {@link #MAX_RESPONSE_SECONDS} get their connection closed, and no more than
 * {@link #MAX_CONNECTIONS} connections are open at once (the JDK closes the next ones at accept).
 * Each exchange runs on a virtual thread of its own and reads only snapshots, so within those
 * bounds a stalled client holds one cheap thread and one socket, never the master's loop.
 *
 * <p>A value given on the command line ({@code -Dsun.net.httpserver.maxReqTime=...}) wins.
 */
final class HttpTimeouts {
    static final long MAX_REQUEST_SECONDS = 5;
    static final long MAX_RESPONSE_SECONDS = 60;
    static final int MAX_CONNECTIONS = 512;

    private static final Map<String, String> DEFAULTS = Map.of(
            "sun.net.httpserver.maxReqTime", Long.toString(MAX_REQUEST_SECONDS),
            "sun.net.httpserver.maxRspTime", Long.toString(MAX_RESPONSE_SECONDS),
            "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));

    private HttpTimeouts() {}

    /** Sets the properties not set already; must run before the JVM's first {@code HttpServer}. */
    static synchronized void apply() {
        DEFAULTS.forEach((k, v) -> {
            if (System.getProperty(k) == null) System.setProperty(k, v);
        });
    }
}
