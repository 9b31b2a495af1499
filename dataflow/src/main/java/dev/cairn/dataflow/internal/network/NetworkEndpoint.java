package dev.cairn.dataflow.internal.network;

import dev.cairn.common.codec.Codec;
import dev.cairn.common.security.HandshakeGate;
import dev.cairn.common.time.Clock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node's end of the stream network: a listener for the nodes that consume what this node
 * produces, one dialed {@link Connection} per producing node this node consumes from, the
 * producers' {@link OutboundChannel}s waiting to be opened, and the node's buffers.
 *
 * <p>A producing subtask registers its channel ({@link #producer}); a consuming subtask makes a
 * {@link RemoteInputGate} ({@link #gate}), which opens each channel on the connection to its
 * producer's node, granting the first credits. The two may happen in either order: a producer
 * queues up to its bound before it is opened, then blocks.
 *
 * <p>Threads: one acceptor; per connection a reader and a writer (virtual threads). Thread-safe.
 */
public final class NetworkEndpoint implements AutoCloseable {
    private final String name;
    private final NetworkSettings settings;
    private final Clock clock;
    private final SegmentPool pool;
    private final FrameCodec codec;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Object dialLock = new Object();
    private final Map<InetSocketAddress, Connection> dialed = new HashMap<>();
    /** Completes and checks accepted TLS handshakes, logging refused peers. */
    private final HandshakeGate gate;

    private final Set<Connection> connections = new HashSet<>();
    private final Map<ChannelId, OutboundChannel> registered = new HashMap<>();
    private final Map<ChannelId, PendingOpen> pendingOpens = new HashMap<>();
    private boolean closed;

    /** A consumer's OPEN that came before its producer registered. */
    private record PendingOpen(Connection connection, int number, int credits) {}

    private NetworkEndpoint(String name, ServerSocket server, NetworkSettings settings, Clock clock) {
        this.name = name;
        this.server = server;
        this.settings = settings;
        this.clock = clock;
        this.pool = new SegmentPool(settings.bufferSize());
        this.gate = new HandshakeGate("stream exchange port " + server.getLocalPort(), clock);
        this.codec = new FrameCodec(settings.bufferSize());
        this.acceptor = Thread.ofPlatform()
                .name("cairn-net-accept " + name)
                .daemon(true)
                .unstarted(this::acceptLoop);
    }

    /** Listens on {@code bind} (port 0: any free port) and accepts connections. */
    public static NetworkEndpoint start(String name, InetSocketAddress bind, NetworkSettings settings, Clock clock)
            throws IOException {
        ServerSocket server = settings.security().newServerSocket();
        try {
            server.bind(bind);
        } catch (IOException e) {
            server.close();
            throw new IOException("node " + name + " cannot listen on " + bind + ": " + Connection.describe(e), e);
        }
        NetworkEndpoint endpoint = new NetworkEndpoint(name, server, settings, clock);
        endpoint.acceptor.start();
        return endpoint;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public NetworkSettings settings() {
        return settings;
    }

    /**
     * Registers the producing end of {@code id}; its consumer opens it later (or has already).
     *
     * @param codec the edge's record codec
     */
    public RemoteChannelWriter producer(ChannelId id, Codec<?> codec) {
        OutboundChannel channel = new OutboundChannel(id, settings.buffersPerChannel(), pool, clock);
        PendingOpen open;
        synchronized (this) {
            if (closed) throw new IllegalStateException("node " + name + " is closed");
            if (registered.containsKey(id))
                throw new IllegalStateException("channel " + id + " already has a producer on node " + name);
            open = pendingOpens.remove(id);
            if (open == null) registered.put(id, channel);
        }
        if (open != null) open.connection().bind(open.number(), channel, open.credits());
        return new RemoteChannelWriter(channel, codec, pool);
    }

    /** Reader thread: a consumer opened {@code id}; binds its producer now, or when it registers. */
    void opened(ChannelId id, Connection connection, int number, int credits) throws ProtocolException {
        OutboundChannel channel;
        synchronized (this) {
            channel = registered.remove(id);
            if (channel == null) {
                if (pendingOpens.containsKey(id))
                    throw new ProtocolException(connection.peer() + " opened channel " + id + " twice");
                pendingOpens.put(id, new PendingOpen(connection, number, credits));
                return;
            }
        }
        connection.bind(number, channel, credits);
    }

    /**
     * A gate reading {@code inputs}, each opened on the connection to its producer's node (dialed
     * now if there is none).
     *
     * @throws IOException naming the peer, if a producer node cannot be reached
     */
    public RemoteInputGate gate(String gateName, List<RemoteInputGate.Input> inputs) throws IOException {
        RemoteInputGate gate = new RemoteInputGate(gateName, inputs, settings, pool);
        for (int i = 0; i < inputs.size(); i++)
            connectionTo(inputs.get(i).producerNode()).open(gate, gate.channel(i));
        return gate;
    }

    private Connection connectionTo(InetSocketAddress node) throws IOException {
        synchronized (dialLock) {
            Connection existing = dialed.get(node);
            if (existing != null && !existing.isFailed()) return existing;
            String peer = "node at " + node;
            int timeout = (int) Math.max(1, settings.connectTimeout().toMillis());
            Socket socket;
            try {
                // With TLS, the handshake (bounded by the connect timeout) happens here.
                socket = settings.security().connect(node, timeout);
            } catch (IOException e) {
                throw new IOException("node " + name + " cannot connect to " + peer + ": " + Connection.describe(e), e);
            }
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(timeout);
                OutputStream raw = socket.getOutputStream();
                DataOutputStream preamble = new DataOutputStream(raw);
                FrameCodec.writePreamble(preamble, name);
                preamble.flush();
                DataInputStream in = Connection.input(socket);
                String peerName = FrameCodec.readPreamble(in);
                socket.setSoTimeout(0);
                peer = "node " + peerName + " at " + node;
                Connection c = new Connection(this, socket, peer, in, codec, settings.bufferSize());
                register(c);
                dialed.put(node, c);
                c.start();
                return c;
            } catch (IOException e) {
                socket.close();
                throw new IOException("node " + name + " cannot connect to " + peer + ": " + Connection.describe(e), e);
            }
        }
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("cairn-net-handshake " + name).start(() -> handshake(socket));
        }
    }

    private void handshake(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            int timeout = (int) Math.max(1, settings.connectTimeout().toMillis());
            // The TLS handshake, on this connection's thread; a refused peer is logged by the gate.
            gate.admit(socket, timeout);
            socket.setSoTimeout(timeout);
            DataInputStream in = Connection.input(socket);
            String peerName = FrameCodec.readPreamble(in);
            DataOutputStream preamble = new DataOutputStream(socket.getOutputStream());
            FrameCodec.writePreamble(preamble, name);
            preamble.flush();
            socket.setSoTimeout(0);
            Connection c = new Connection(
                    this,
                    socket,
                    "node " + peerName + " at " + socket.getRemoteSocketAddress(),
                    in,
                    codec,
                    settings.bufferSize());
            register(c);
            c.start();
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Released either way.
            }
        }
    }

    private void register(Connection c) throws IOException {
        synchronized (this) {
            if (closed) throw new IOException("node " + name + " is closed");
            connections.add(c);
        }
    }

    void removed(Connection c) {
        synchronized (this) {
            connections.remove(c);
            pendingOpens.values().removeIf(p -> p.connection() == c);
        }
        synchronized (dialLock) {
            dialed.values().remove(c);
        }
    }

    /** Open connections, dialed and accepted. */
    synchronized int connectionCount() {
        return connections.size();
    }

    /** Bytes of network buffers this node holds now (producers' queues and gates). */
    public long bufferedBytes() {
        return pool.outstandingBytes();
    }

    /** The most bytes of network buffers this node held at once. */
    public long peakBufferedBytes() {
        return pool.peakBytes();
    }

    /**
     * Forgets the channels of {@code job} that no consumer opened yet, or whose producer has not
     * registered: a cancelled run of a job leaves none behind. Opened channels end with their
     * subtasks or their connections.
     */
    public void release(long job) {
        List<OutboundChannel> unopened = new ArrayList<>();
        synchronized (this) {
            registered.values().removeIf(c -> {
                if (c.id.job() != job) return false;
                unopened.add(c);
                return true;
            });
            pendingOpens.keySet().removeIf(id -> id.job() == job);
        }
        for (OutboundChannel c : unopened)
            c.fail(new ChannelException("channel " + c.id + " released: its job was cancelled", null));
    }

    /** Resets every connection without a word, as a crashed node would, and stops listening. */
    public void abort() {
        for (Connection c : stop()) c.abort();
    }

    /** Stops listening and fails every connection, telling the peers. */
    @Override
    public void close() {
        for (Connection c : stop()) c.fail("node " + name + " shut down", true);
    }

    private List<Connection> stop() {
        List<Connection> all;
        List<OutboundChannel> unopened;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(connections);
            unopened = new ArrayList<>(registered.values());
            registered.clear();
            pendingOpens.clear();
        }
        for (OutboundChannel c : unopened)
            c.fail(new ChannelException("node " + name + " closed before a consumer opened channel " + c.id, null));
        try {
            server.close();
        } catch (IOException e) {
            // Released either way.
        }
        return all;
    }
}
