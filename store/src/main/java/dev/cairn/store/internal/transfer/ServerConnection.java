package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.BlockInfo;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection accepted by a {@link BlockServer}, served on a virtual thread of its own: the
 * preamble, then requests one after another until the peer closes, goes idle past the timeout,
 * breaks the protocol, or the server closes.
 *
 * <p>Errors end only this connection. A request that fails in the store (a disk error) is answered
 * FAILED and the connection goes on; a malformed one is answered BAD_REQUEST and the connection
 * closed, since its framing can no longer be trusted; a broken or timed-out connection is closed.
 * Each is one log line, naming the peer and the request.
 */
final class ServerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);

    private final BlockServer server;
    private final Socket socket;
    private final String peer;
    private Thread thread;
    /** The TLS peer when it is a user (its requests are checked); null for a node or in plain text. */
    private CairnPrincipal user;

    private List<String> groups = List.of();

    ServerConnection(BlockServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.peer = String.valueOf(socket.getRemoteSocketAddress());
    }

    void start() {
        thread = Thread.ofVirtual()
                .name("block-server-" + server.address().port() + "-" + peer)
                .start(this::run);
    }

    String peer() {
        return peer;
    }

    /** Closes the socket; the thread then fails out of whatever it was doing and cleans up. */
    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closed either way.
        }
    }

    boolean join(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** Answers a connection the server will not serve, without holding up the acceptor. */
    static void refuse(Socket socket, Duration timeout, String why) {
        Thread.ofVirtual().name("block-server-refuse").start(() -> {
            try {
                Connection c = Connection.accepted(socket, timeout);
                c.out.writeInt(Wire.MAGIC);
                c.out.writeShort(Wire.VERSION);
                c.closeWithReply(Wire.FAILED, why);
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Nothing more to do for a connection we refuse.
                }
            }
        });
    }

    private void run() {
        Request current = null;
        Connection c = null;
        try {
            try {
                // The TLS handshake, on this connection's thread; a refused peer is logged by the gate.
                server.gate().admit(socket, Connection.millis(server.options().timeout()));
            } catch (IOException refused) {
                return;
            }
            c = Connection.accepted(socket, server.options().timeout());
            if (socket instanceof SSLSocket tls) {
                CairnPrincipal p = CairnPrincipal.of(tls.getSession()).orElse(null);
                if (p == null || p.kind() != CairnPrincipal.Kind.NODE) {
                    user = p == null ? new CairnPrincipal("(unknown certificate)", CairnPrincipal.Kind.USER) : p;
                    groups = CairnPrincipal.groups(tls.getSession());
                }
            }
            if (!handshake(c)) return;
            // Ends when the peer closes or fails, or the server closes the socket.
            while (!server.isClosed()) {
                current = null;
                int opcode = c.in.read();
                if (opcode < 0) return;
                current = Request.read(opcode, c.in);
                if (!serve(c, current)) return;
                c.out.flush();
            }
        } catch (ProtocolException e) {
            LOG.warn(
                    "{}: closing connection from {}: malformed request{}: {}",
                    server.address(),
                    peer,
                    during(current),
                    e.getMessage());
            if (c != null) c.closeWithReply(Wire.BAD_REQUEST, e.getMessage());
        } catch (SocketTimeoutException e) {
            if (current == null) LOG.debug("{}: closing idle connection from {}", server.address(), peer);
            else
                LOG.info(
                        "{}: closing connection from {}{}: {}",
                        server.address(),
                        peer,
                        during(current),
                        e.getMessage());
        } catch (EOFException e) {
            LOG.info(
                    "{}: connection from {} ended in the middle of {}",
                    server.address(),
                    peer,
                    current == null ? "a request" : describe(current));
        } catch (IOException e) {
            if (!server.isClosed())
                LOG.info("{}: connection from {} failed{}", server.address(), peer, during(current), e);
        } catch (RuntimeException e) {
            // A bug: end this connection, not the server.
            LOG.error("{}: unexpected failure serving {}{}", server.address(), peer, during(current), e);
            if (c != null) c.closeWithReply(Wire.FAILED, "internal error: " + Wire.describe(e));
        } finally {
            if (c != null) c.close();
            else close();
            server.removed(this);
        }
    }

    /** Reads the client's preamble and queues the reply (it leaves with the first answer). */
    private boolean handshake(Connection c) throws IOException {
        int magic = c.in.readInt();
        c.out.writeInt(Wire.MAGIC);
        c.out.writeShort(Wire.VERSION);
        if (magic != Wire.MAGIC) {
            LOG.warn(
                    "{}: closing connection from {}: not the Cairn transfer protocol (began with 0x{})",
                    server.address(),
                    peer,
                    Integer.toHexString(magic));
            c.closeWithReply(
                    Wire.BAD_REQUEST,
                    "not the Cairn transfer protocol: expected magic 0x" + Integer.toHexString(Wire.MAGIC));
            return false;
        }
        int version = c.in.readUnsignedShort();
        if (version != Wire.VERSION) {
            LOG.warn(
                    "{}: closing connection from {}: it speaks transfer protocol version {}, this node {}",
                    server.address(),
                    peer,
                    version,
                    Wire.VERSION);
            c.closeWithReply(
                    Wire.BAD_REQUEST,
                    "transfer protocol version " + version + " is not supported; this node speaks " + Wire.VERSION);
            return false;
        }
        c.out.writeByte(Wire.OK);
        return true;
    }

    /**
     * Why the user on the other end may not make {@code request}, or null if it may (always, for a
     * node or in plain text). Users read blocks of files they may read and write blocks of their
     * own writes; deleting and replicating blocks is for nodes (garbage collection and repair).
     */
    private String refusal(Request request) {
        if (user == null) return null;
        BlockAccess access = server.options().access();
        try {
            return decide(access, request);
        } catch (IOException e) {
            // Fail closed: what cannot be checked is not served.
            return "cannot check " + user.name() + "'s access: " + Wire.describe(e);
        }
    }

    private String decide(BlockAccess access, Request request) throws IOException {
        return switch (request) {
            case Request.ReadBlock r -> access.refuseRead(user, groups, r.file(), r.id());
            case Request.WriteBlock w -> access.refuseWrite(user, w.pendingWrite(), w.id());
            case Request.DeleteBlocks d -> access.refuseNodeRequest(user, "delete blocks");
            case Request.Replicate r -> access.refuseNodeRequest(user, "replicate blocks");
            case Request.ListBlocks l -> null;
            case Request.Status s -> null;
        };
    }

    /** Serves a request; false when the connection must end (a refused write, whose chunks would follow). */
    private boolean serve(Connection c, Request request) throws IOException {
        String refused = refusal(request);
        if (refused != null) {
            LOG.info("{}: refused {} from {}: {}", server.address(), describe(request), peer, refused);
            if (request instanceof Request.WriteBlock) {
                // Its chunks follow the header: the stream cannot be resynchronized, so it ends here.
                c.closeWithReply(Wire.FAILED, refused);
                return false;
            }
            Wire.writeStatus(c.out, Wire.FAILED, refused);
            return true;
        }
        LocalBlockStore store = server.store();
        Duration timeout = server.options().timeout();
        switch (request) {
            case Request.WriteBlock w ->
                server.countWritten(new BlockReceiver(
                                store,
                                server.address(),
                                timeout,
                                server.options().security(),
                                c,
                                w)
                        .receive());
            case Request.ReadBlock r -> server.countRead(BlockSender.sendChunks(store, c, r));
            case Request.Replicate r ->
                BlockSender.replicate(store, timeout, server.options().security(), c, r);
            case Request.DeleteBlocks d -> delete(store, c, d.ids());
            case Request.ListBlocks l -> {
                List<BlockInfo> blocks = store.blocks();
                c.out.writeByte(Wire.OK);
                c.out.writeInt(blocks.size());
                for (BlockInfo b : blocks) {
                    c.out.writeLong(b.id().value());
                    c.out.writeLong(b.length());
                }
            }
            case Request.Status s -> {
                long free;
                try {
                    free = store.freeBytes();
                } catch (IOException e) {
                    Wire.writeStatus(c.out, Wire.FAILED, "cannot measure free space: " + Wire.describe(e));
                    return true;
                }
                c.out.writeByte(Wire.OK);
                c.out.writeLong(free);
                c.out.writeLong(store.usedBytes());
                c.out.writeInt(store.blocks().size());
            }
        }
        return true;
    }

    /** Deletes in order and stops at the first failure, which the reply names; deleting again is harmless. */
    private void delete(LocalBlockStore store, Connection c, List<BlockId> ids) throws IOException {
        int deleted = 0;
        for (BlockId id : ids) {
            try {
                if (store.delete(id)) deleted++;
            } catch (IOException | IllegalStateException e) {
                LOG.warn("{}: cannot delete {}", server.address(), id, e);
                Wire.writeStatus(
                        c.out,
                        Wire.FAILED,
                        "deleted " + deleted + " blocks, then failed on " + id + ": " + Wire.describe(e));
                return;
            }
        }
        c.out.writeByte(Wire.OK);
        c.out.writeInt(deleted);
    }

    private static String during(Request r) {
        return r == null ? "" : " during " + describe(r);
    }

    private static String describe(Request r) {
        return switch (r) {
            case Request.WriteBlock w -> "WRITE_BLOCK of " + w.id();
            case Request.ReadBlock b -> "READ_BLOCK of " + b.id();
            case Request.Replicate p -> "REPLICATE of " + p.id();
            case Request.DeleteBlocks d -> "DELETE_BLOCKS of " + d.ids().size();
            case Request.ListBlocks l -> "LIST_BLOCKS";
            case Request.Status s -> "STATUS";
        };
    }
}
