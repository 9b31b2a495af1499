package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.tree.Code;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import dev.cairn.coord.internal.wire.WatchRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * notifications, over a non-blocking channel served by {@link ClientIo}.
 *
 * <p>Ownership. The selector thread ({@link ClientIo}) owns the input side — the buffer, the
 * handshake and session, reading paused or not — and every method that touches it asserts so.
 * A request that needs the Raft group (a change, sync, a new session) is <em>pending</em> until
 * its future completes. Changes are <em>pipelined</em>, as in ZooKeeper: a change read while
 * earlier changes are pending is proposed at once (the batcher keeps a member's changes in the
 * order proposed, so they are applied in the order the client sent them); any other request — a
 * read, a ping, sync — waits, unread or buffered, until nothing is pending, so a client reads its
 * own writes, and a change waits behind a pending sync or session creation. Replies keep the
 * order of the requests: each pending request's reply is sent after the one before it
 * ({@link #after}). Until 12-07 every request waited for the one before it, so a session never had
 * more than one change in flight whatever its client pipelined: 16 sessions with 16 outstanding
 * each were 16 changes in flight, not 256. Changes also pass the member's {@link OutstandingLimit}:
 * at its limit this connection is parked, its input unread, until answers make room.
 *
 * <p>The thread that completes a change — usually the apply thread — writes the reply itself,
 * touching only the output side (below): a hand-off to the selector thread there would cost every
 * write 0.1–0.25 ms. Only when input waits for the last pending request does it hand the input back
 * to the selector thread ({@link #requestDone}). A new session's answer sets the session, so it
 * runs on the selector thread ({@link #afterOnSelector}): one hand-off per session, none per change.
 *
 * <p>Output: replies and notifications go out in the order {@link #send} is called, each written
 * at once when nothing is queued before it and the socket takes it, else queued for the selector
 * thread; the channel is non-blocking, so no sender ever waits for a client. A notification always
 * precedes the reply to any read issued after the change, and the reply to a read is sent before
 * the state's read lock is released ({@code ZkRequests}), so it precedes the notification of any
 * change applied after the read — the client only knows a watch once the reply that set it has
 * arrived.
 */
final class ZkConnection implements ProposalBatcher.Source {
    private static final Logger LOG = LoggerFactory.getLogger(ZkConnection.class);
    /** ZooKeeper's documented, public session-password secret: the password guards against mix-ups, not attackers. */
    private static final long PASSWORD_SECRET = 0xB3415C00L;
    /** How long a closing connection may take to write out what is queued before it is cut. */
    private static final long CLOSE_GRACE_MS = 3000;
    /**
     * Bytes of replies queued for a client that is not reading them past which its requests are no
     * longer read: a client that pipelines reads of large znodes and never reads the answers would
     * otherwise fill the member's heap. Reading resumes once half of it has drained.
     */
    static final int MAX_QUEUED_BYTES = 1 << 20;
    /**
     * Queued bytes past which the connection is cut: notifications keep coming while requests are
     * no longer read. The client reconnects, and re-registering its watches fires what it missed.
     */
    static final int MAX_QUEUED_BYTES_HARD = 8 * MAX_QUEUED_BYTES;

    private final CoordServer server;

    /** A request read and not answered yet: its type and when it was read, for its latency. */
    private record Started(int type, long nanos) {}

    /** Requests read and not answered yet, by xid; the selector thread adds, whoever answers removes. */
    private final Map<Integer, Started> started = new java.util.concurrent.ConcurrentHashMap<>();

    private final ClientIo io;
    /** The client's channel, or TLS over it: every read and write goes through it. */
    private final Wire wire;

    private final String remote;
    private final String remoteHost;
    private final int maxPacket;
    private SelectionKey key;
    /** Bytes read and not yet handled, from 0 to its position; selector thread only. */
    private static final int SMALL_BUFFER = 4096;

    private ByteBuffer in = ByteBuffer.allocate(SMALL_BUFFER);
    private boolean readPaused;
    private boolean greeted;
    /** The client's connect request arrived; selector thread. */
    private boolean connectReceived;

    private boolean handshaken;
    /** Requests pending: incremented on the selector thread, decremented by whoever answers one. */
    private final AtomicInteger pending = new AtomicInteger();
    /**
     * Input waits for nothing to be pending: set by the selector thread, cleared by it or by the
     * thread that answers the last pending request, which then resumes the input.
     */
    private final AtomicBoolean inputWaits = new AtomicBoolean();
    /** The request pending, if any, is not a change: nothing is handled until it is answered; selector thread. */
    private boolean barrier;
    /** The request being handled is a change; selector thread. */
    private boolean handlingChange;
    /** Bytes of the request being handled that {@link OutstandingLimit} let in, until it goes pending; selector thread. */
    private long admitted;
    /** Parked by the member's {@link OutstandingLimit}: input unread until it resumes this; selector thread. */
    private boolean throttled;
    /** A change of this connection failed: it proposes no more ({@link ProposalBatcher#lose}); closing follows. */
    private volatile boolean changeLost;
    /** Completes once the reply to the last pending request went out (null: none yet); selector thread. */
    private CompletableFuture<Void> lastReply;
    /** What could not be written yet, in order; guards {@link #writeInterest} and {@link #closeWhenFlushed}. */
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();

    private boolean writeInterest;
    private long queuedBytes;
    /** Input stopped because {@link #queuedBytes} passed {@link #MAX_QUEUED_BYTES}; selector thread. */
    private boolean outputPaused;

    private boolean closeWhenFlushed;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    /** Added to by the selector thread, read by the apply thread when it filters notifications. */
    private final CopyOnWriteArrayList<Id> auth = new CopyOnWriteArrayList<>();

    private final ZkRequests requests;
    private volatile long sessionId;
    /** The client asked to close its session: nothing it sends afterwards is handled. */
    private volatile boolean closeRequested;

    ZkConnection(CoordServer server, ClientIo io, SocketChannel channel) throws IOException {
        this.server = server;
        this.io = io;
        InetSocketAddress peer = (InetSocketAddress) channel.getRemoteAddress();
        this.remote = String.valueOf(peer);
        this.remoteHost = peer.getAddress().getHostAddress();
        this.maxPacket = server.settings().maxDataBytes() + (64 << 10);
        this.auth.add(new Id("ip", remoteHost));
        this.wire = Wire.of(channel, server.settings().security(), server.refusals(), String.valueOf(io.port()));
        this.requests = new ZkRequests(server, this);
    }

    /** Called by the selector thread right after it registered the channel. */
    void attach(SelectionKey key) {
        this.key = key;
    }

    long sessionId() {
        return sessionId;
    }

    /** ZooKeeper's {@code cons} line for this connection. */
    String describe() {
        int queued;
        synchronized (outbound) {
            queued = outbound.size();
        }
        return " " + remote + "[1](queued=" + queued + ",pending=" + pending.get() + ",sid=0x"
                + Long.toHexString(sessionId) + ")";
    }

    List<Id> auth() {
        return List.copyOf(auth);
    }

    void addAuth(Id id) {
        auth.addIfAbsent(id);
    }

    /** Changes the selector's interest in this channel; a no-op once it is closed (its key cancelled). */
    private void interest(int add, int remove) {
        try {
            if (key.isValid()) key.interestOps((key.interestOps() | add) & ~remove);
        } catch (java.nio.channels.CancelledKeyException e) {
            // closed by another thread meanwhile
        }
    }

    /** Registers a watch of this connection, unless it has closed (then its watches are gone for good). */
    void watch(WatchRegistry.Kind kind, String path) {
        server.watches().add(kind, path, this);
        // Closing sets closed before it removes the connection's watches: one of the two removes this one.
        if (closed) server.watches().removeAll(this);
    }

    // ---- input: selector thread ------------------------------------------------------------

    void onReadable() {
        io.assertInIoThread();
        if (closing.get()) {
            interest(0, SelectionKey.OP_READ);
            return;
        }
        try {
            int n;
            do {
                if (!in.hasRemaining() && !makeRoom()) {
                    // Full of requests that wait behind a pending one: stop reading until they are handled.
                    readPaused = true;
                    interest(0, SelectionKey.OP_READ);
                    return;
                }
                n = wire.read(in);
                if (n < 0) {
                    close("the client closed the connection");
                    return;
                }
                // The TLS handshake may have left bytes the socket did not take: the output side writes them.
                if (wire.pendingOutput()) wantWrite();
                handleInput();
                // TLS may hold more decrypted input than fitted: the socket will not signal it again.
            } while (n > 0 && wire.hasBufferedInput() && readable() && !closing.get());
        } catch (IOException e) {
            inputFailed(e);
        }
    }

    /** Whether the selector is to read this channel (reading is not paused); selector thread. */
    private boolean readable() {
        try {
            return key.isValid() && (key.interestOps() & SelectionKey.OP_READ) != 0;
        } catch (java.nio.channels.CancelledKeyException e) {
            return false;
        }
    }

    /** Resumes reading; with TLS, also reads what it already holds, which the selector will not signal. */
    private void resumeReading() {
        interest(SelectionKey.OP_READ, 0);
        if (wire.hasBufferedInput()) io.execute(this::onReadable);
    }

    /** Asks the selector thread to write out what is queued; any thread. */
    private void wantWrite() {
        synchronized (outbound) {
            if (closed || writeInterest) return;
            writeInterest = true;
            if (io.inIoThread()) interest(SelectionKey.OP_WRITE, 0);
            else io.execute(() -> interest(SelectionKey.OP_WRITE, 0));
        }
    }

    /**
     * Handles the complete packets read so far, until one must wait: for pending requests
     * ({@link #mayHandle}), for room under the member's {@link OutstandingLimit}, or for the client
     * to read its replies; selector thread.
     */
    private void handleInput() throws IOException {
        io.assertInIoThread();
        if (throttled) return;
        int start = 0;
        try {
            while (!closing.get() && !closeRequested) {
                if (backlogged()) {
                    outputPaused = true;
                    interest(0, SelectionKey.OP_READ);
                    break;
                }
                int available = in.position() - start;
                if (available < 4) break;
                int len = in.getInt(start);
                if (!greeted && FourLetterWords.isCommand(len)) {
                    greeted = true;
                    start += 4;
                    send(FourLetterWords.answer(len, server, this).getBytes(StandardCharsets.UTF_8));
                    closeAfterFlush();
                    break;
                }
                greeted = true;
                if (len < 0 || len > maxPacket)
                    throw new Frames.ProtocolException("packet length " + len + " outside 0.." + maxPacket);
                if (available < 4 + len) break;
                // A request's header: its xid, then its type.
                boolean change = handshaken && len >= 8 && isChange(in.getInt(start + 8));
                if (!mayHandle(change)) break;
                if (change && !server.outstanding().tryAcquire(len)) {
                    throttled = true;
                    interest(0, SelectionKey.OP_READ);
                    server.outstanding().park(this, io::execute);
                    break;
                }
                admitted = change ? len : 0;
                handlingChange = change;
                byte[] body = Arrays.copyOfRange(in.array(), start + 4, start + 4 + len);
                start += 4 + len;
                boolean goOn;
                try {
                    goOn = handle(body);
                } finally {
                    // Answered at once (an error), or failed: it holds no room.
                    if (admitted != 0) server.outstanding().release(admitted, io::execute);
                    admitted = 0;
                    handlingChange = false;
                }
                if (!goOn) {
                    closeAfterFlush();
                    break;
                }
            }
        } finally {
            consume(start);
        }
    }

    /** Requests that change the tree: these are pipelined, and count against the member's limit. */
    private static boolean isChange(int type) {
        return switch (type) {
            case OpCode.CREATE,
                    OpCode.CREATE2,
                    OpCode.CREATE_CONTAINER,
                    OpCode.CREATE_TTL,
                    OpCode.DELETE,
                    OpCode.SET_DATA,
                    OpCode.SET_ACL,
                    OpCode.CHECK,
                    OpCode.MULTI -> true;
            default -> false;
        };
    }

    /**
     * Whether the next request may be handled now: a change unless a request that is not one is
     * pending, anything else only when nothing is pending. Otherwise the input waits, and whoever
     * answers the last pending request resumes it ({@link #requestDone}); selector thread.
     */
    private boolean mayHandle(boolean change) {
        if (pending.get() == 0) {
            barrier = false;
            return true;
        }
        if (change && !barrier && server.pipelinesWrites()) return true;
        inputWaits.set(true);
        // Answered meanwhile? Then whoever takes the flag back goes on: here, or the answering thread.
        if (pending.get() == 0 && inputWaits.compareAndSet(true, false)) {
            barrier = false;
            return true;
        }
        return false;
    }

    @Override
    public boolean lost() {
        return changeLost;
    }

    @Override
    public void markLost() {
        changeLost = true;
    }

    /** The member's {@link OutstandingLimit} has room again: read and handle input; selector thread. */
    void unthrottle() {
        io.assertInIoThread();
        if (!throttled) return;
        throttled = false;
        if (closing.get()) return;
        if (!outputPaused) resumeReading();
        resumeInput();
    }

    /** Drops the first {@code n} bytes read; resumes reading if it had paused. */
    private void consume(int n) {
        if (n > 0) {
            in.flip();
            in.position(n);
            in.compact();
            // Back to a small buffer once a large packet is handled, so idle connections stay small.
            if (in.position() == 0 && in.capacity() > SMALL_BUFFER) in = ByteBuffer.allocate(SMALL_BUFFER);
        }
        if (readPaused && !outputPaused && !throttled && in.hasRemaining() && !closing.get()) {
            readPaused = false;
            resumeReading();
        }
    }

    /** The buffer is full: grows it when its first packet needs more room; false when it holds only whole packets. */
    private boolean makeRoom() throws Frames.ProtocolException {
        int need = SMALL_BUFFER;
        if (in.position() >= 4) {
            int len = in.getInt(0);
            if (len < 0 || len > maxPacket)
                throw new Frames.ProtocolException("packet length " + len + " outside 0.." + maxPacket);
            need = 4 + len;
        }
        if (need <= in.capacity()) return false;
        // Grow with what arrives, not with what the length prefix promises.
        ByteBuffer bigger = ByteBuffer.allocate(Math.min(need, 2 * in.capacity()));
        in.flip();
        bigger.put(in);
        in = bigger;
        return true;
    }

    /** One packet: the handshake first, then requests; false when the connection must close after the replies. */
    private boolean handle(byte[] body) throws IOException {
        io.assertInIoThread();
        if (!handshaken) return handshake(body);
        BinaryInputArchive archive = Frames.archive(body);
        RequestHeader header = Frames.read(archive, new RequestHeader());
        if (!server.isSessionOpen(sessionId) && header.getType() != OpCode.CLOSE_SESSION) {
            // Expired or closed elsewhere while this connection lived: ZooKeeper's answer, then hang up.
            reply(header.getXid(), Code.SESSIONEXPIRED.value(), null);
            return false;
        }
        server.touched(sessionId);
        server.metrics().received(header.getType());
        started.put(
                header.getXid(), new Started(header.getType(), server.clock().nanos()));
        return requests.handle(header, archive);
    }

    private boolean backlogged() {
        synchronized (outbound) {
            return queuedBytes > MAX_QUEUED_BYTES;
        }
    }

    /** Resumes input left while requests were pending (or the member was at its limit); selector thread. */
    private void resumeInput() {
        io.assertInIoThread();
        if (closing.get()) return;
        try {
            handleInput();
        } catch (IOException e) {
            inputFailed(e);
        } catch (RuntimeException e) {
            LOG.warn("closing connection from {} after an unexpected error", remote, e);
            close("unexpected error: " + e);
        }
    }

    private void inputFailed(IOException e) {
        if (e instanceof TlsWire.Refused) LOG.debug("closing a refused connection from {}", remote, e);
        else if (e instanceof Frames.ProtocolException)
            LOG.warn("closing connection from {}: {}", remote, e.getMessage());
        else if (!closing.get()) LOG.debug("connection from {} ended", remote, e);
        close(e.getMessage());
    }

    // ---- pending requests ------------------------------------------------------------------

    /** What to do with a completed request's outcome; false when the connection must close after its reply. */
    interface Then<T> {
        boolean accept(T value) throws IOException;
    }

    /**
     * Makes the current request pending on {@code f}: later changes may go ahead, other requests
     * wait, and {@code then} answers it on the thread that completes {@code f} (at once, if it is
     * already complete) — but never before the request pending before it was answered, so replies
     * keep the order of the requests. When {@code f} fails — the group did not commit the request
     * within its bound — the connection is closed, as ZooKeeper does when it cannot answer: the
     * client reconnects and learns what happened from the state. Selector thread.
     */
    <T> void after(CompletableFuture<T> f, Then<T> then) {
        pendingOn(f, (value, failure, permit, replied) -> complete(value, failure, then, permit, replied));
    }

    /**
     * Like {@link #after}, but {@code then} runs on the selector thread, since it changes the input
     * side (the handshake's answer sets the session).
     */
    private <T> void afterOnSelector(CompletableFuture<T> f, Then<T> then) {
        pendingOn(
                f,
                (value, failure, permit, replied) -> io.execute(() -> complete(value, failure, then, permit, replied)));
    }

    /** How a pending request is answered once it and the one pending before it are done. */
    private interface Answer<T> {
        void answer(T value, Throwable failure, long permit, CompletableFuture<Void> replied);
    }

    private <T> void pendingOn(CompletableFuture<T> f, Answer<T> answer) {
        io.assertInIoThread();
        long permit = admitted;
        admitted = 0;
        pending.incrementAndGet();
        if (!handlingChange) barrier = true;
        CompletableFuture<Void> before = lastReply;
        CompletableFuture<Void> replied = new CompletableFuture<>();
        lastReply = replied;
        // Changes are applied in the order proposed, so the one before is usually answered already.
        var unused = f.whenComplete((value, failure) -> {
            if (before == null || before.isDone()) {
                answer.answer(value, failure, permit, replied);
            } else {
                afterwards(before, () -> answer.answer(value, failure, permit, replied));
            }
        });
    }

    /** Runs {@code r} once {@code f} is done, on the thread that completes it. */
    private static void afterwards(CompletableFuture<?> f, Runnable r) {
        var unused = f.whenComplete((v, x) -> r.run());
    }

    private <T> void complete(T value, Throwable failure, Then<T> then, long permit, CompletableFuture<Void> replied) {
        try {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                // Expected when a leader changes or the group is slow: the client reconnects.
                LOG.debug("closing connection from {}: the coord group did not commit a request", remote, cause);
                close("the coord group did not commit the request: " + cause);
            } else if (!then.accept(value)) {
                closeAfterFlush();
            }
        } catch (IOException e) {
            LOG.debug("closing connection from {}: cannot answer", remote, e);
            close("cannot answer: " + e);
        } catch (RuntimeException e) {
            LOG.warn("closing connection from {} after an unexpected error", remote, e);
            close("unexpected error: " + e);
        } finally {
            replied.complete(null);
            if (permit != 0) server.outstanding().release(permit, io::execute);
            requestDone();
        }
    }

    /** A pending request was answered: the last one hands waiting input back to the selector thread. */
    private void requestDone() {
        if (pending.decrementAndGet() == 0 && inputWaits.compareAndSet(true, false)) io.execute(this::resumeInput);
    }

    // ---- handshake -------------------------------------------------------------------------

    private boolean handshake(byte[] body) throws IOException {
        connectReceived = true;
        // With TLS the handshake is done once a packet arrived: the certificate is the client's identity.
        wire.session().ifPresent(session -> server.identities(session).forEach(this::addAuth));
        BinaryInputArchive archive = Frames.archive(body);
        ConnectRequest req = new ConnectRequest();
        try {
            req.deserialize(archive, "connect");
        } catch (IOException e) {
            // Clients before 3.4 send no readOnly flag; everything before it is what counts.
            if (req.getPasswd() == null)
                throw new Frames.ProtocolException("malformed ConnectRequest: " + e.getMessage());
        }
        long lastSeen = req.getLastZxidSeen();
        if (lastSeen > server.state().lastZxid()) {
            LOG.info(
                    "refusing client {}: it has seen zxid 0x{} and this member only 0x{}; it will try another member",
                    remote,
                    Long.toHexString(lastSeen),
                    Long.toHexString(server.state().lastZxid()));
            return false;
        }
        long id = req.getSessionId();
        if (id == 0) {
            int timeout = server.negotiateTimeout(req.getTimeOut());
            long created = newSessionId();
            // A password of its own, not one derived from the id as ZooKeeper's: a session id is no
            // secret (every ephemeral node shows its owner's), and whoever holds the password can
            // resume the session, or close it and take its ephemeral nodes and locks away.
            byte[] password = new byte[Txn.CreateSession.PASSWORD_BYTES];
            PASSWORDS.nextBytes(password);
            afterOnSelector(server.propose(new Txn.CreateSession(created, timeout, password)), r -> {
                if (!(r instanceof Result.SessionCreated)) throw new IOException("session creation failed: " + r);
                return accepted(created, timeout, password);
            });
            return true;
        }
        long existing = id;
        @SuppressWarnings("ArrayRecordComponent") // a local carrier, never compared
        record Stored(int timeout, byte[] password) {}
        Stored stored = server.state()
                .read(t -> t.hasSession(existing)
                        ? new Stored(
                                t.sessionTimeoutMs(existing),
                                Objects.requireNonNullElseGet(t.sessionPassword(existing), () -> password(existing)))
                        : null);
        if (stored == null || !MessageDigest.isEqual(stored.password(), req.getPasswd())) {
            LOG.info(
                    "client {} asked for session 0x{}, which is {}",
                    remote,
                    Long.toHexString(id),
                    stored == null ? "expired" : "not theirs (wrong password)");
            send(Frames.packet(new ConnectResponse(0, 0, 0, new byte[16], false)));
            return false;
        }
        return accepted(id, stored.timeout(), stored.password());
    }

    private boolean accepted(long id, int timeout, byte[] password) throws IOException {
        io.assertInIoThread();
        if (closing.get()) return false; // the client left while its session was being created; it expires unused
        sessionId = id;
        handshaken = true;
        server.register(id, this);
        // Closed meanwhile (by another thread, which saw no session to unregister): undo.
        if (closed) server.unregister(id, this);
        server.touched(id);
        send(Frames.packet(new ConnectResponse(0, timeout, id, password, false)));
        return true;
    }

    private long newSessionId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    /** Session passwords: unpredictable, as they guard sessions. */
    private static final java.security.SecureRandom PASSWORDS = new java.security.SecureRandom();

    /** The password of a session created before sessions had their own: derived from its id, as ZooKeeper's. */
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

    // ---- output: any thread ----------------------------------------------------------------

    void reply(int xid, int err, org.apache.jute.Record body) throws IOException {
        sendReply(xid, Frames.packet(new ReplyHeader(xid, server.state().lastZxid(), err), err == 0 ? body : null));
    }

    /** Sends the answer to request {@code xid}, already encoded; every request's answer goes out here. */
    void sendReply(int xid, byte[] packet) {
        Started req = started.remove(xid);
        if (req != null) server.metrics().answered(req.type(), server.clock().nanos() - req.nanos());
        send(packet);
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

    /** Sends a packet after those sent before it; never blocks. */
    void send(byte[] packet) {
        synchronized (outbound) {
            if (closed || closeWhenFlushed) return;
            ByteBuffer b = ByteBuffer.wrap(packet);
            if (outbound.isEmpty()) {
                try {
                    wire.write(b);
                } catch (IOException e) {
                    LOG.debug("cannot write to {}", remote, e);
                    closeNow();
                    return;
                }
                // With TLS the wire may have taken all of it and still hold some for the socket.
                if (!b.hasRemaining() && !wire.pendingOutput()) return;
                if (!b.hasRemaining()) {
                    wantWrite();
                    return;
                }
            }
            if (queuedBytes + b.remaining() > MAX_QUEUED_BYTES_HARD) {
                LOG.info(
                        "closing connection from {}: {} bytes of replies and notifications queued, the client is not reading",
                        remote,
                        queuedBytes);
                closeNow();
                return;
            }
            outbound.add(b);
            queuedBytes += b.remaining();
            if (!writeInterest) {
                writeInterest = true;
                if (io.inIoThread()) interest(SelectionKey.OP_WRITE, 0);
                else io.execute(() -> interest(SelectionKey.OP_WRITE, 0));
            }
        }
    }

    /** Writes out what is queued; selector thread. */
    void onWritable() {
        io.assertInIoThread();
        boolean drained;
        synchronized (outbound) {
            try {
                while (!outbound.isEmpty()) {
                    ByteBuffer b = outbound.peek();
                    queuedBytes -= wire.write(b);
                    if (b.hasRemaining()) break;
                    outbound.poll();
                }
                drained = outbound.isEmpty() && wire.flush();
            } catch (IOException e) {
                LOG.debug("cannot write to {}", remote, e);
                closeNow();
                return;
            }
            if (drained) {
                writeInterest = false;
                interest(0, SelectionKey.OP_WRITE);
                if (closeWhenFlushed) {
                    closeNow();
                    return;
                }
            }
            if (wire.handshaking()) {
                // The handshake waited for the socket to take its last message: go on with it.
                if (drained) io.execute(this::onReadable);
                return;
            }
            if (!outputPaused || queuedBytes > MAX_QUEUED_BYTES / 2) return;
        }
        outputPaused = false;
        if (closing.get() || throttled) return;
        resumeReading();
        resumeInput();
    }

    // ---- closing ---------------------------------------------------------------------------

    /**
     * The member's connect timeout passed since this connection was accepted: unless its connect
     * request (or a four-letter word, answered and closed already) arrived, it is closed, with one
     * rate-limited log line naming the client. Selector thread.
     */
    void connectTimedOut(Duration timeout) {
        io.assertInIoThread();
        if (connectReceived || closing.get() || closed) return;
        server.refusals()
                .refused("closed the connection from " + remote.replaceFirst("^/", "") + " on coord port " + io.port()
                        + ": "
                        + (wire.handshaking() ? "its TLS handshake did not finish" : "it sent no connect request")
                        + " within " + timeout.toMillis() + " ms");
        abort();
    }

    /** The session ended (expired or closed elsewhere): drop the connection. */
    void sessionClosed() {
        if (!closeRequested) close("session closed");
    }

    void closeRequested() {
        closeRequested = true;
    }

    /** Stops handling input, writes out what is queued (for at most a few seconds), then closes. */
    void close(String why) {
        if (closing.compareAndSet(false, true))
            LOG.debug("closing connection of session 0x{}: {}", Long.toHexString(sessionId), why);
        closeAfterFlush();
    }

    private void closeAfterFlush() {
        closing.set(true);
        synchronized (outbound) {
            if (closed || closeWhenFlushed) return;
            closeWhenFlushed = true;
            if (outbound.isEmpty() && !wire.pendingOutput()) {
                closeNow();
                return;
            }
        }
        CompletableFuture.delayedExecutor(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS).execute(this::closeNow);
    }

    /** Closes at once, dropping what is queued (the server is shutting down). */
    void abort() {
        closing.set(true);
        closeNow();
    }

    private void closeNow() {
        synchronized (outbound) {
            if (closed) return;
            closed = true;
            outbound.clear();
            queuedBytes = 0;
        }
        closing.set(true);
        if (sessionId != 0) server.unregister(sessionId, this);
        try {
            wire.close();
        } catch (IOException e) {
            LOG.trace("closing channel", e);
        }
    }
}
