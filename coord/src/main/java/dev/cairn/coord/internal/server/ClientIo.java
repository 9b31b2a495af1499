package dev.cairn.coord.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client listener of a coord member: one thread and one selector for every client
 * connection. It accepts connections, reads and handles requests ({@link ZkConnection#onReadable})
 * and writes out what a connection could not write at once.
 *
 * <p>Why not a (virtual) thread per connection, as before: on the 2-core benchmark machine every
 * hand-off between threads costs 0.1–0.25 ms of latency, and a virtual thread reading a socket is
 * woken through two of them (the JDK's poller thread, then a carrier), and was woken again to
 * write each reply to a change (the apply thread completed it). Here the selector thread reads
 * directly, and replies to changes are written by the thread that completes them, without blocking
 * — the channels are non-blocking, so a client that does not read can never stall that thread
 * (what does not fit in the socket waits in the connection's queue for this thread to write).
 * Under load one wake-up of the selector reads every connection that has something to say.
 *
 * <p>Other threads hand work to the selector thread with {@link #execute}; everything about a
 * connection's input happens on the selector thread.
 *
 * <p>With mutual TLS each connection reads and writes through a {@link TlsWire}: its handshake,
 * unwrapping and wrapping run in this same loop, without blocking it, and a client that is not TLS
 * (or not of the cluster's CA) is refused with one log line.
 *
 * <p>A connection must send its ZooKeeper connect request — after its TLS handshake, when secured —
 * within the member's connect timeout, or it is closed (as ZooKeeper closes a connection that has
 * no session after {@code zookeeper.nio.sessionlessCnxnTimeout}): a client that opens connections
 * and says nothing, or stops halfway through a handshake, cannot hold sockets and buffers for ever.
 * Once the session exists its own timeout governs: the session expires and its connection goes.
 */
final class ClientIo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientIo.class);

    private final Selector selector;
    private final ServerSocketChannel listener;
    /** Makes the connection of a newly accepted channel, on the selector thread. */
    interface Acceptor {
        ZkConnection accept(ClientIo io, SocketChannel channel) throws IOException;
    }

    private final Acceptor accept;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final SelectionKey acceptKey;
    /** When accepting resumes after a failed accept ({@link #nanos}), or 0; selector thread only. */
    private long acceptPausedUntil;

    private final Duration connectTimeout;
    private final LongSupplier nanos;
    /** Accepted connections in accept order with the time their connect request is due by; selector thread only. */
    private final ArrayDeque<Awaiting> awaitingConnect = new ArrayDeque<>();

    private record Awaiting(ZkConnection connection, long dueNanos) {}

    private volatile boolean closed;

    /**
     * Binds the listener and starts the selector thread.
     *
     * @param accept         makes the connection of a newly accepted channel
     * @param connectTimeout how long a new connection may take to send its connect request
     * @param nanos          the member's monotonic clock, in nanoseconds
     */
    ClientIo(InetSocketAddress address, String name, Acceptor accept, Duration connectTimeout, LongSupplier nanos)
            throws IOException {
        this.accept = accept;
        this.connectTimeout = connectTimeout;
        this.nanos = nanos;
        this.selector = Selector.open();
        try {
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, 128);
            listener.configureBlocking(false);
            acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            selector.close();
            throw e;
        }
        thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    int port() {
        return listener.socket().getLocalPort();
    }

    /** Runs a task on the selector thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) selector.wakeup();
    }

    boolean inIoThread() {
        return Thread.currentThread() == thread;
    }

    /** Fails unless called on the selector thread, which owns every connection's input. */
    void assertInIoThread() {
        if (Thread.currentThread() != thread)
            throw new IllegalStateException("client connection input handled off the selector thread "
                    + thread.getName() + ", on " + Thread.currentThread());
    }

    @SuppressWarnings("ReferenceEquality") // selection keys have no equals of their own: identity it is
    private void loop() {
        try {
            while (!closed) {
                long now = nanos.getAsLong();
                long wake = nextDeadline();
                // A task queued by this thread while it handled keys must not wait for the next event.
                if (!tasks.isEmpty()) selector.selectNow();
                else if (wake == Long.MAX_VALUE) selector.select();
                else selector.select(Math.max(1, (wake - now + 999_999) / 1_000_000));
                for (Runnable t; (t = tasks.poll()) != null; ) run(t);
                now = nanos.getAsLong();
                if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0) {
                    acceptPausedUntil = 0;
                    if (acceptKey.isValid()) acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                closeSilentConnections(now);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) continue;
                    if (key == acceptKey) {
                        acceptAll();
                        continue;
                    }
                    ZkConnection c = (ZkConnection) key.attachment();
                    try {
                        if (key.isValid() && key.isWritable()) c.onWritable();
                        if (key.isValid() && key.isReadable()) c.onReadable();
                    } catch (java.nio.channels.CancelledKeyException e) {
                        // closed by another thread meanwhile
                    } catch (Exception | Error e) {
                        // Even an OutOfMemoryError from one client's request costs only that connection.
                        LOG.warn("closing a client connection after an unexpected error", e);
                        c.abort();
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            if (!closed) LOG.error("the coord client listener stopped", e);
        } finally {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.debug("closing listener", e);
            }
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof ZkConnection c) c.abort();
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing selector", e);
            }
        }
    }

    /** The earliest time this thread must wake without an event ({@link #nanos}), or {@code Long.MAX_VALUE}. */
    private long nextDeadline() {
        long wake = Long.MAX_VALUE;
        if (acceptPausedUntil != 0) wake = acceptPausedUntil;
        Awaiting first = awaitingConnect.peekFirst();
        if (first != null && first.dueNanos() - wake < 0) wake = first.dueNanos();
        return wake;
    }

    /** Closes the connections whose connect request is overdue; forgets those that sent it or closed. */
    private void closeSilentConnections(long now) {
        for (Awaiting a; (a = awaitingConnect.peekFirst()) != null && now - a.dueNanos() >= 0; ) {
            awaitingConnect.pollFirst();
            a.connection().connectTimedOut(connectTimeout);
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (Exception | Error e) {
            LOG.warn("a client I/O task failed", e);
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                // Typically out of file descriptors: the listener stays ready, so without a pause this
                // loop would spin; accept again in a moment.
                LOG.warn("accept failed, pausing accepts for 100 ms", e);
                acceptKey.interestOps(0);
                acceptPausedUntil = nanos.getAsLong() + 100_000_000L | 1;
                return;
            }
            if (ch == null) return;
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ZkConnection c = accept.accept(this, ch);
                c.attach(ch.register(selector, SelectionKey.OP_READ, c));
                awaitingConnect.addLast(new Awaiting(c, nanos.getAsLong() + connectTimeout.toNanos()));
            } catch (IOException | RuntimeException e) {
                LOG.debug("dropping an accepted connection", e);
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing listener", e);
        }
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
