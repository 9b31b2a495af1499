package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.tree.Code;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import dev.cairn.coord.internal.wire.WatchRegistry;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.jute.BinaryInputArchive;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.WatcherEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking ZooKeeper's protocol: the connect handshake, then requests
 * answered strictly in the order they arrive (the protocol requires it), pings, and watch
 * notifications. A virtual thread reads and handles requests; replies and notifications go
 * through one queue, so a notification always precedes the reply to any read issued after the
 * change; and the reply to a read is queued before the state's read lock is released
 * ({@code ZkRequests}), so it precedes the notification of any change applied after the read —
 * the client only knows a watch once the reply that set it has arrived. The reading thread writes
 * out the queue itself after each request (the common case: no hand-off to another thread per
 * reply, and a client that does not read its replies stops being read from); what other threads queue — notifications from the apply thread, which must
 * never block on a slow client — a writer thread writes out. Whoever writes holds
 * {@link #writing}, and takes packets from the queue only while holding it, so their order holds.
 */
final class ZkConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ZkConnection.class);
    /** ZooKeeper's documented, public session-password secret: the password guards against mix-ups, not attackers. */
    private static final long PASSWORD_SECRET = 0xB3415C00L;
    private static final byte[] CLOSE = new byte[0];

    private final CoordServer server;
    private final Socket socket;
    private final ConcurrentLinkedQueue<byte[]> outbound = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();
    private OutputStream out;
    private volatile Thread reader;
    private volatile Thread writer;
    /** The writer has written {@link #CLOSE}: nothing more goes out. */
    private boolean outputClosed;
    /** Added to by this connection's thread, read by the apply thread when it filters notifications. */
    private final List<Id> auth = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ZkRequests requests;
    private volatile long sessionId;
    private volatile boolean closed;
    /** The client asked to close its session: answer it before closing the connection. */
    private volatile boolean closeRequested;

    ZkConnection(CoordServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.auth.add(new Id("ip", socket.getInetAddress().getHostAddress()));
        this.requests = new ZkRequests(server, this);
    }

    long sessionId() {
        return sessionId;
    }

    /** ZooKeeper's {@code cons} line for this connection. */
    String describe() {
        return " " + socket.getRemoteSocketAddress() + "[1](queued=" + outbound.size() + ",sid=0x" + Long.toHexString(sessionId) + ")";
    }

    List<Id> auth() {
        return List.copyOf(auth);
    }

    void addAuth(Id id) {
        ((java.util.concurrent.CopyOnWriteArrayList<Id>) auth).addIfAbsent(id);
    }

    void run() {
        reader = Thread.currentThread();
        try {
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        } catch (IOException e) {
            LOG.debug("connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
            closeSocket();
            return;
        }
        writer = Thread.ofVirtual().name("zk-write-" + socket.getPort()).start(this::writeLoop);
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            int max = server.settings().maxDataBytes() + (64 << 10);
            int first;
            try {
                first = in.readInt();
            } catch (java.io.EOFException e) {
                return;
            }
            if (FourLetterWords.isCommand(first)) {
                send(FourLetterWords.answer(first, server, this).getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!handshake(Frames.readBody(in, first, max))) return;
            writeQueued();
            while (!closed) {
                byte[] body = Frames.read(in, max);
                if (body == null) break;
                BinaryInputArchive archive = Frames.archive(body);
                RequestHeader header = Frames.read(archive, new RequestHeader());
                if (!server.isSessionOpen(sessionId) && header.getType() != OpCode.CLOSE_SESSION) {
                    // Expired or closed elsewhere while this connection lived: ZooKeeper's answer, then hang up.
                    reply(header.getXid(), Code.SESSIONEXPIRED.value(), null);
                    break;
                }
                server.touched(sessionId);
                if (!requests.handle(header, archive)) break;
                writeQueued();
            }
        } catch (Frames.ProtocolException e) {
            LOG.warn("closing connection from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            if (!closed) LOG.debug("connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } catch (RuntimeException e) {
            LOG.warn("closing connection from {} after an unexpected error", socket.getRemoteSocketAddress(), e);
        } finally {
            closed = true;
            outbound.add(CLOSE);
            LockSupport.unpark(writer);
            if (sessionId != 0) server.unregister(sessionId, this);
            // Close only once the writer has drained what is queued (the reply to a four-letter word or to close).
            try {
                writer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeSocket();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.trace("closing socket", e);
        }
    }

    private boolean handshake(byte[] body) throws IOException {
        BinaryInputArchive archive = Frames.archive(body);
        ConnectRequest req = new ConnectRequest();
        try {
            req.deserialize(archive, "connect");
        } catch (IOException e) {
            // Clients before 3.4 send no readOnly flag; everything before it is what counts.
            if (req.getPasswd() == null) throw new Frames.ProtocolException("malformed ConnectRequest: " + e.getMessage());
        }
        long lastSeen = req.getLastZxidSeen();
        if (lastSeen > server.state().lastZxid()) {
            LOG.info("refusing client {}: it has seen zxid 0x{} and this member only 0x{}; it will try another member",
                    socket.getRemoteSocketAddress(), Long.toHexString(lastSeen), Long.toHexString(server.state().lastZxid()));
            return false;
        }
        int timeout;
        long id = req.getSessionId();
        if (id == 0) {
            timeout = server.negotiateTimeout(req.getTimeOut());
            id = newSessionId();
            Result r = await(server.propose(new Txn.CreateSession(id, timeout)));
            if (!(r instanceof Result.SessionCreated)) throw new IOException("session creation failed: " + r);
        } else {
            long existing = id;
            Integer stored = server.state().read(t -> t.sessions().get(existing));
            if (stored == null || !java.util.Arrays.equals(password(id), req.getPasswd())) {
                LOG.info("client {} asked for session 0x{}, which is {}", socket.getRemoteSocketAddress(), Long.toHexString(id),
                        stored == null ? "expired" : "not theirs (wrong password)");
                send(Frames.packet(new ConnectResponse(0, 0, 0, new byte[16], false)));
                return false;
            }
            timeout = stored;
        }
        sessionId = id;
        server.register(id, this);
        server.touched(id);
        send(Frames.packet(new ConnectResponse(0, timeout, id, password(id), false)));
        return true;
    }

    private long newSessionId() {
        long id;
        do {
            id = java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    static byte[] password(long sessionId) {
        byte[] p = new byte[16];
        new Random(sessionId ^ PASSWORD_SECRET).nextBytes(p);
        return p;
    }

    static Id digest(String userPassword) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA1").digest(userPassword.getBytes(StandardCharsets.UTF_8));
            String user = userPassword.substring(0, Math.max(0, userPassword.indexOf(':')));
            return new Id("digest", user + ":" + Base64.getEncoder().encodeToString(sha));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for a proposal. Untimed: every future the server hands out for a proposal fails by
     * itself after a bound ({@link CoordServer#propose}, {@link CoordServer#sync}), and a timed
     * wait would cost a timer per request.
     */
    <T> T await(java.util.concurrent.CompletableFuture<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException("the coord group did not commit the request: " + e.getCause(), e);
        }
    }

    void reply(int xid, int err, org.apache.jute.Record body) throws IOException {
        send(Frames.packet(new ReplyHeader(xid, server.state().lastZxid(), err), err == 0 ? body : null));
    }

    void sendEvent(WatchRegistry.Event event, String path) {
        int type = switch (event) {
            case NODE_CREATED -> 1;
            case NODE_DELETED -> 2;
            case NODE_DATA_CHANGED -> 3;
            case NODE_CHILDREN_CHANGED -> 4;
        };
        try {
            send(Frames.packet(new ReplyHeader(OpCode.XID_NOTIFICATION, -1L, 0), new WatcherEvent(type, 3, path)));
        } catch (IOException e) {
            close("cannot encode a notification: " + e);
        }
    }

    /** Queues a packet; never blocks. The reading thread writes it out after the request; for others, the writer does. */
    void send(byte[] packet) {
        if (closed) return;
        outbound.add(packet);
        if (Thread.currentThread() != reader) LockSupport.unpark(writer);
    }

    /** Writes out what is queued, on the reading thread; blocks while the client does not read. */
    private void writeQueued() throws IOException {
        if (!outbound.isEmpty()) drain();
    }

    /** Writes what is queued, in order; true once {@link #CLOSE} went out. */
    private boolean drain() throws IOException {
        writing.lock();
        try {
            if (outputClosed) return true;
            boolean wrote = false;
            for (byte[] p; (p = outbound.poll()) != null; ) {
                if (p == CLOSE) {
                    out.flush();
                    outputClosed = true;
                    socket.shutdownOutput();
                    return true;
                }
                out.write(p);
                wrote = true;
            }
            if (wrote) out.flush();
            return false;
        } finally {
            writing.unlock();
        }
    }

    /** The session ended (expired or closed elsewhere): drop the connection. */
    void sessionClosed() {
        if (!closeRequested) close("session closed");
    }

    void closeRequested() {
        closeRequested = true;
    }

    void close(String why) {
        if (closed) return;
        LOG.debug("closing connection of session 0x{}: {}", Long.toHexString(sessionId), why);
        closed = true;
        outbound.add(CLOSE);
        LockSupport.unpark(writer);
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            LOG.trace("shutdown input", e);
        }
        // The reading thread may be blocked writing to a client that does not read: give it the
        // same grace as the writer gets, then close the socket under it.
        Thread r = reader;
        if (r != null) {
            Thread.ofVirtual().name("zk-close-" + socket.getPort()).start(() -> {
                try {
                    r.join(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (r.isAlive()) closeSocket();
            });
        }
    }

    private void writeLoop() {
        try {
            while (!drain()) LockSupport.park(this);
        } catch (IOException e) {
            closed = true;
        }
    }
}
