package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.HandshakeGate;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a node's {@link LocalBlockStore} over the transfer protocol (see {@code package-info.java}):
 * block writes in pipelines, raw chunk reads, deletes, the block report, status and
 * re-replication.
 *
 * <p>One virtual thread per connection, blocking I/O; a connection carries requests one after
 * another. A connection that breaks the protocol is answered with an error if possible and closed,
 * with a log line; no connection can take the server down, and each costs at most one chunk
 * buffer and two socket buffers. An idle connection is closed after the timeout.
 *
 * <p>The server does not own the store: close the server first, then the store.
 */
public final class BlockServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlockServer.class);
    /** How long {@link #close} waits for connection threads to clean up (abort their blocks). */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    /**
     * How a server behaves.
     *
     * @param timeout the bound on every wait for a peer: a read, a write, a connect, and (times the
     *     pipeline length below this node) the wait for a downstream ack; also the idle time after
     *     which a connection is closed
     * @param maxConnections connections served at once; more are refused at once
     * @param security plain text, or mutual TLS: then only peers with a certificate of the cluster's CA
     *     are served, and the connections this node opens to other nodes (pipelines, re-replication)
     *     use the same material
     */
    public record Options(Duration timeout, int maxConnections, TransportSecurity security, BlockAccess access) {
        public Options {
            Connection.millis(Objects.requireNonNull(timeout, "timeout"));
            if (maxConnections < 1)
                throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(access, "access");
        }

        public Options(Duration timeout, int maxConnections) {
            this(timeout, maxConnections, TransportSecurity.plain(), BlockAccess.OPEN);
        }

        /** These options with {@code access} deciding what users (not nodes) may read and write over TLS. */
        public Options withAccess(BlockAccess access) {
            return new Options(timeout, maxConnections, security, access);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(60), 1024);
        }

        public Options withTimeout(Duration timeout) {
            return new Options(timeout, maxConnections, security, access);
        }

        public Options withMaxConnections(int maxConnections) {
            return new Options(timeout, maxConnections, security, access);
        }

        public Options withSecurity(TransportSecurity security) {
            return new Options(timeout, maxConnections, security, access);
        }
    }

    private final LocalBlockStore store;
    private final Options options;
    private final ServerSocket listener;
    private final DataAddress address;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final HandshakeGate gate;
    private Thread acceptor;
    private final java.util.concurrent.atomic.LongAdder bytesRead = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesWritten = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean closed;

    /** Bytes of block data this server sent to readers (READ_BLOCK) since it started. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes of blocks this server received and stored on its disks (WRITE_BLOCK) since it started. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    void countRead(long bytes) {
        bytesRead.add(bytes);
    }

    void countWritten(long bytes) {
        bytesWritten.add(bytes);
    }

    private BlockServer(LocalBlockStore store, Options options, ServerSocket listener, DataAddress address) {
        this.store = store;
        this.options = options;
        this.listener = listener;
        this.address = address;
        this.gate = new HandshakeGate("store data port " + address.port(), Clock.system());
    }

    /** {@link #start(LocalBlockStore, String, int, Options)} with {@link Options#defaults()}. */
    public static BlockServer start(LocalBlockStore store, String bindHost, int port) throws IOException {
        return start(store, bindHost, port, Options.defaults());
    }

    /**
     * Binds and starts serving.
     *
     * @param port 0 for one the OS chooses; {@link #address()} tells which
     * @throws IOException naming the address, if it cannot be bound
     */
    public static BlockServer start(LocalBlockStore store, String bindHost, int port, Options options)
            throws IOException {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        new DataAddress(bindHost, port); // checks both
        ServerSocket listener = options.security().newServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(bindHost, port));
        } catch (IOException e) {
            listener.close();
            throw new IOException(
                    "cannot listen for block transfers on " + new DataAddress(bindHost, port) + ": " + Wire.describe(e),
                    e);
        }
        BlockServer server =
                new BlockServer(store, options, listener, new DataAddress(bindHost, listener.getLocalPort()));
        server.acceptor = Thread.ofVirtual()
                .name("block-server-accept-" + server.address.port())
                .start(server::acceptLoop);
        LOG.info(
                "serving blocks of {} at {} in {}",
                store.dirs(),
                server.address,
                options.security().describe());
        return server;
    }

    /** The address bound: the bind host and the actual port. */
    public DataAddress address() {
        return address;
    }

    LocalBlockStore store() {
        return store;
    }

    Options options() {
        return options;
    }

    HandshakeGate gate() {
        return gate;
    }

    boolean isClosed() {
        return closed;
    }

    /** Connections open now: the transfers this node is busy with. */
    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        // Ends when close() closes the listener.
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                LOG.warn("{}: accept failed", address, e);
                pauseAfterAcceptFailure();
                continue;
            }
            if (connections.size() >= options.maxConnections()) {
                LOG.warn(
                        "{}: refusing connection from {}: already {} connections",
                        address,
                        socket.getRemoteSocketAddress(),
                        connections.size());
                ServerConnection.refuse(socket, options.timeout(), "node busy: " + connections.size() + " connections");
                continue;
            }
            ServerConnection c = new ServerConnection(this, socket);
            connections.add(c);
            c.start();
        }
    }

    /** Called by a connection's thread as it ends. */
    void removed(ServerConnection c) {
        connections.remove(c);
    }

    /**
     * An accept that fails while open (out of file descriptors, most likely) would fail again at
     * once; a short pause keeps the loop from spinning and the log from flooding.
     */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting, closes every connection, and waits (a bounded time) for their threads to abort
     * the blocks they were receiving. Blocks already finalized stay.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.warn("{}: closing the listener", address, e);
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            // The acceptor adds no connection once it has ended, so none escapes the loop below.
            acceptor.join(CLOSE_WAIT);
            List<ServerConnection> open = List.copyOf(connections);
            for (ServerConnection c : open) c.close();
            for (ServerConnection c : open) {
                if (!c.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    LOG.warn("{}: connection from {} still running {} after close", address, c.peer(), CLOSE_WAIT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("stopped serving blocks at {}", address);
    }
}
