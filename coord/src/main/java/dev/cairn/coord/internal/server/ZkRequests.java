package dev.cairn.coord.internal.server;

import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.CHILD;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.DATA;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.PERSISTENT;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.PERSISTENT_RECURSIVE;

import dev.cairn.coord.internal.raft.RaftPeerAddress;
import dev.cairn.coord.internal.tree.Code;
import dev.cairn.coord.internal.tree.CreateMode;
import dev.cairn.coord.internal.tree.DataTree;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.NodeView;
import dev.cairn.coord.internal.tree.Result;
import dev.cairn.coord.internal.tree.Txn;
import dev.cairn.coord.internal.wire.WatchRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WhoAmIResponse;

/**
 * Turns each ZooKeeper request into a read of this member's tree or a proposed change, and its
 * outcome into ZooKeeper's reply records. Runs on the client selector thread, one request of a
 * connection at a time; a change is answered by whoever completes it ({@link ZkConnection#after}).
 */
final class ZkRequests {
    private static final int PERM_READ = 1;
    private static final int PERM_ADMIN = 16;
    private static final int AUTH_FAILED = -115;
    private static final int NO_WATCHER = -121;
    private static final int UNIMPLEMENTED = -6;
    private static final int NEW_CONFIG_NO_QUORUM = -13;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZkRequests.class);

    private final CoordServer server;
    private final ZkConnection conn;

    ZkRequests(CoordServer server, ZkConnection conn) {
        this.server = server;
        this.conn = conn;
    }

    /** Handles one request; false when the connection must close afterwards. */
    boolean handle(RequestHeader h, BinaryInputArchive in) throws IOException {
        int xid = h.getXid();
        switch (h.getType()) {
            case OpCode.PING -> conn.reply(xid, 0, null);
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> {
                CreateRequest r = Frames.read(in, new CreateRequest());
                create(xid, h.getType(), r.getPath(), r.getData(), r.getAcl(), r.getFlags(), -1);
            }
            case OpCode.CREATE_TTL -> {
                CreateTTLRequest r = Frames.read(in, new CreateTTLRequest());
                create(xid, h.getType(), r.getPath(), r.getData(), r.getAcl(), r.getFlags(), r.getTtl());
            }
            case OpCode.DELETE -> {
                DeleteRequest r = Frames.read(in, new DeleteRequest());
                conn.after(server.propose(new Txn.Delete(r.getPath(), r.getVersion(), conn.auth()), conn), res -> {
                    conn.reply(xid, code(res), null);
                    return true;
                });
            }
            case OpCode.SET_DATA -> {
                SetDataRequest r = Frames.read(in, new SetDataRequest());
                conn.after(
                        server.propose(new Txn.SetData(r.getPath(), r.getData(), r.getVersion(), conn.auth()), conn),
                        res -> {
                            conn.reply(
                                    xid,
                                    code(res),
                                    res instanceof Result.StatResult s
                                            ? new SetDataResponse(Jute.stat(s.stat()))
                                            : null);
                            return true;
                        });
            }
            case OpCode.SET_ACL -> {
                SetACLRequest r = Frames.read(in, new SetACLRequest());
                conn.after(
                        server.propose(
                                new Txn.SetAcl(r.getPath(), Jute.acl(r.getAcl()), r.getVersion(), conn.auth()), conn),
                        res -> {
                            conn.reply(
                                    xid,
                                    code(res),
                                    res instanceof Result.StatResult s
                                            ? new SetACLResponse(Jute.stat(s.stat()))
                                            : null);
                            return true;
                        });
            }
            case OpCode.CHECK -> {
                CheckVersionRequest r = Frames.read(in, new CheckVersionRequest());
                conn.after(server.propose(new Txn.Check(r.getPath(), r.getVersion(), conn.auth()), conn), res -> {
                    conn.reply(xid, code(res), null);
                    return true;
                });
            }
            case OpCode.MULTI -> multi(xid, in);
            case OpCode.EXISTS -> {
                ExistsRequest r = Frames.read(in, new ExistsRequest());
                // Read and set the watch under one read lock, so no change can slip in between.
                readAndReply(xid, t -> {
                    Optional<NodeView> node = t.get(r.getPath());
                    // As in ZooKeeper: an existing node the client may not read is NOAUTH, and sets no watch.
                    if (node.isPresent() && t.checkAcl(r.getPath(), PERM_READ, conn.auth()) != Code.OK)
                        return Code.NOAUTH.value();
                    if (r.getWatch()) conn.watch(DATA, r.getPath());
                    return node.<Object>map(n -> new ExistsResponse(Jute.stat(n.stat())))
                            .orElse(Code.NONODE.value());
                });
            }
            case OpCode.GET_DATA -> {
                GetDataRequest r = Frames.read(in, new GetDataRequest());
                readAndReply(xid, t -> getData(t, r.getPath(), r.getWatch()));
            }
            case OpCode.GET_CHILDREN, OpCode.GET_CHILDREN2 -> {
                GetChildrenRequest r = Frames.read(in, new GetChildrenRequest());
                readAndReply(xid, t -> getChildren(t, r.getPath(), r.getWatch(), h.getType() == OpCode.GET_CHILDREN2));
            }
            case OpCode.GET_ACL -> {
                GetACLRequest r = Frames.read(in, new GetACLRequest());
                Optional<NodeView> node = read(t -> t.get(r.getPath()));
                if (node.isEmpty()) {
                    conn.reply(xid, Code.NONODE.value(), null);
                } else if (read(t -> t.checkAcl(r.getPath(), PERM_READ | PERM_ADMIN, conn.auth())) != Code.OK) {
                    conn.reply(xid, Code.NOAUTH.value(), null);
                } else {
                    // As in ZooKeeper: without ADMIN, digest ids are shown without their password hash.
                    boolean admin = read(t -> t.checkAcl(r.getPath(), PERM_ADMIN, conn.auth())) == Code.OK;
                    List<org.apache.zookeeper.data.ACL> acl = Jute.jute(
                                    node.get().acl())
                            .stream()
                            .map(a -> admin || !"digest".equals(a.getId().getScheme())
                                    ? a
                                    : new org.apache.zookeeper.data.ACL(
                                            a.getPerms(),
                                            new org.apache.zookeeper.data.Id(
                                                    "digest", a.getId().getId().replaceAll(":.*", ":x"))))
                            .toList();
                    conn.reply(
                            xid, 0, new GetACLResponse(acl, Jute.stat(node.get().stat())));
                }
            }
            case OpCode.GET_ALL_CHILDREN_NUMBER -> {
                GetAllChildrenNumberRequest r = Frames.read(in, new GetAllChildrenNumberRequest());
                Optional<NodeView> node = read(t -> t.get(r.getPath()));
                if (node.isEmpty()) conn.reply(xid, Code.NONODE.value(), null);
                else if (read(t -> t.checkAcl(r.getPath(), PERM_READ, conn.auth())) != Code.OK)
                    conn.reply(xid, Code.NOAUTH.value(), null);
                else conn.reply(xid, 0, new GetAllChildrenNumberResponse(read(t -> t.allChildrenCount(r.getPath()))));
            }
            case OpCode.GET_EPHEMERALS -> {
                GetEphemeralsRequest r = Frames.read(in, new GetEphemeralsRequest());
                List<String> mine = read(t -> t.ephemerals(conn.sessionId()));
                String prefix = r.getPrefixPath() == null ? "/" : r.getPrefixPath();
                conn.reply(
                        xid,
                        0,
                        new GetEphemeralsResponse(
                                mine.stream().filter(p -> p.startsWith(prefix)).toList()));
            }
            case OpCode.SYNC -> {
                SyncRequest r = Frames.read(in, new SyncRequest());
                conn.after(server.sync(conn.sessionId()), index -> {
                    conn.reply(xid, 0, new SyncResponse(r.getPath()));
                    return true;
                });
            }
            case OpCode.AUTH -> {
                AuthPacket r = Frames.read(in, new AuthPacket());
                if (!"digest".equals(r.getScheme())
                        || r.getAuth() == null
                        || new String(r.getAuth(), StandardCharsets.UTF_8).indexOf(':') < 0) {
                    conn.reply(xid, AUTH_FAILED, null);
                    return false;
                }
                conn.addAuth(ZkConnection.digest(new String(r.getAuth(), StandardCharsets.UTF_8)));
                conn.reply(xid, 0, null);
            }
            case OpCode.SET_WATCHES -> {
                SetWatches r = Frames.read(in, new SetWatches());
                setWatches(
                        xid,
                        r.getRelativeZxid(),
                        r.getDataWatches(),
                        r.getExistWatches(),
                        r.getChildWatches(),
                        List.of(),
                        List.of());
            }
            case OpCode.SET_WATCHES2 -> {
                SetWatches2 r = Frames.read(in, new SetWatches2());
                setWatches(
                        xid,
                        r.getRelativeZxid(),
                        r.getDataWatches(),
                        r.getExistWatches(),
                        r.getChildWatches(),
                        r.getPersistentWatches(),
                        r.getPersistentRecursiveWatches());
            }
            case OpCode.ADD_WATCH -> {
                AddWatchRequest r = Frames.read(in, new AddWatchRequest());
                // The client reads an ErrorResponse body here, unlike most replies without a result.
                readAndReply(xid, t -> {
                    conn.watch(r.getMode() == 1 ? PERSISTENT_RECURSIVE : PERSISTENT, r.getPath());
                    return new ErrorResponse(0);
                });
            }
            case OpCode.REMOVE_WATCHES, OpCode.CHECK_WATCHES -> {
                String path;
                int type;
                if (h.getType() == OpCode.REMOVE_WATCHES) {
                    RemoveWatchesRequest r = Frames.read(in, new RemoveWatchesRequest());
                    path = r.getPath();
                    type = r.getType();
                } else {
                    CheckWatchesRequest r = Frames.read(in, new CheckWatchesRequest());
                    path = r.getPath();
                    type = r.getType();
                }
                boolean found = watches(path, type, h.getType() == OpCode.REMOVE_WATCHES);
                conn.reply(xid, found ? 0 : NO_WATCHER, null);
            }
            case OpCode.WHO_AM_I -> {
                // ZooKeeper shows a digest identity by its user name only, without the password hash.
                List<ClientInfo> infos = conn.auth().stream()
                        .map(id -> new ClientInfo(
                                id.scheme(),
                                id.scheme().equals("digest") ? id.id().split(":", -1)[0] : id.id()))
                        .toList();
                conn.reply(xid, 0, new WhoAmIResponse(infos));
            }
            case OpCode.CLOSE_SESSION -> {
                conn.closeRequested();
                conn.after(server.propose(new Txn.CloseSession(conn.sessionId())), res -> {
                    conn.reply(xid, 0, null);
                    return false;
                });
            }
            case OpCode.MULTI_READ -> multiRead(xid, in);
            case OpCode.RECONFIG -> {
                // A membership change waits for Raft's joint consensus: not on the selector thread.
                ReconfigRequest r = Frames.read(in, new ReconfigRequest());
                if (server.settings().security().enabled()
                        && conn.auth().stream().noneMatch(id -> id.scheme().equals(Id.SUPER))) {
                    // As ZooKeeper: on a secured group only a super user (a node, an admin) changes its members.
                    conn.reply(xid, Code.NOAUTH.value(), null);
                    return true;
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread.ofVirtual().name("coord-reconfig").start(() -> {
                    try {
                        reconfig(xid, r);
                        done.complete(null);
                    } catch (Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
                conn.after(done, v -> true);
            }
            default -> conn.reply(xid, UNIMPLEMENTED, null);
        }
        return true;
    }

    private void create(
            int xid, int type, String path, byte[] data, List<org.apache.zookeeper.data.ACL> acl, int flags, long ttl)
            throws IOException {
        CreateMode mode;
        try {
            mode = type == OpCode.CREATE_CONTAINER ? CreateMode.CONTAINER : CreateMode.fromFlag(flags);
        } catch (IllegalArgumentException e) {
            // After the replies to the changes pending before it, as every change's.
            conn.after(CompletableFuture.completedFuture(null), unused -> {
                conn.reply(xid, Code.BADARGUMENTS.value(), null);
                return true;
            });
            return;
        }
        conn.after(
                server.propose(
                        new Txn.Create(path, data, Jute.acl(acl), mode, ttl, conn.sessionId(), conn.auth()), conn),
                res -> {
                    if (res instanceof Result.Created c) {
                        conn.reply(
                                xid,
                                0,
                                type == OpCode.CREATE
                                        ? new CreateResponse(c.actualPath())
                                        : new Create2Response(c.actualPath(), Jute.stat(c.stat())));
                    } else {
                        conn.reply(xid, code(res), null);
                    }
                    return true;
                });
    }

    /** A reply record, or an Integer error code. */
    private Object getData(DataTree t, String path, boolean watch) {
        Optional<NodeView> node = t.get(path);
        if (node.isEmpty()) return Code.NONODE.value();
        Code acl = t.checkAcl(path, PERM_READ, conn.auth());
        if (acl != Code.OK) return acl.value();
        if (watch) conn.watch(DATA, path);
        return new GetDataResponse(node.get().data(), Jute.stat(node.get().stat()));
    }

    private Object getChildren(DataTree t, String path, boolean watch, boolean withStat) {
        Optional<NodeView> node = t.get(path);
        if (node.isEmpty()) return Code.NONODE.value();
        Code acl = t.checkAcl(path, PERM_READ, conn.auth());
        if (acl != Code.OK) return acl.value();
        if (watch) conn.watch(CHILD, path);
        List<String> children = t.children(path);
        return withStat
                ? new GetChildren2Response(children, Jute.stat(node.get().stat()))
                : new GetChildrenResponse(children);
    }

    /**
     * Answers a read — a reply record, or an Integer error code (0: OK without a body) — with the
     * reply queued while no entry can be applied ({@link #underReadLock}).
     */
    private void readAndReply(int xid, java.util.function.Function<DataTree, Object> reader) throws IOException {
        underReadLock(t -> {
            Object r = reader.apply(t);
            if (r instanceof Integer err) conn.reply(xid, err, null);
            else conn.reply(xid, 0, (Record) r);
        });
    }

    /** What a read does with the tree, its reply queued included. */
    private interface LockedRead {
        void run(DataTree tree) throws IOException;
    }

    /**
     * Runs a read, and queues its reply, while no entry can be applied. A client registers a watch
     * only when the reply that set it arrives and drops a notification for a watch it does not know
     * yet; a reply queued after the lock is released could follow the notification of a change
     * applied meanwhile, and that watch would be lost.
     */
    private void underReadLock(LockedRead read) throws IOException {
        try {
            read(t -> {
                try {
                    read.run(t);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return null;
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Reads, each answered on its own (no all-or-nothing): a result or an error per op, as
     * ZooKeeper does; all of them against one state, and the reply queued before any later change
     * can notify (see {@link #readAndReply}).
     */
    private void multiRead(int xid, BinaryInputArchive in) throws IOException {
        List<Record> ops = new ArrayList<>();
        while (true) {
            MultiHeader mh = Frames.read(in, new MultiHeader());
            if (mh.getDone()) break;
            ops.add(
                    switch (mh.getType()) {
                        case OpCode.GET_CHILDREN -> Frames.read(in, new GetChildrenRequest());
                        case OpCode.GET_DATA -> Frames.read(in, new GetDataRequest());
                        default ->
                            throw new Frames.ProtocolException(
                                    "unsupported operation type " + mh.getType() + " in multiRead");
                    });
        }
        underReadLock(t -> {
            List<Record> out = new ArrayList<>();
            out.add(new ReplyHeader(xid, server.state().lastZxid(), 0));
            for (Record op : ops) {
                boolean children = op instanceof GetChildrenRequest;
                Object r = op instanceof GetChildrenRequest q
                        ? getChildren(t, q.getPath(), q.getWatch(), false)
                        : getData(t, ((GetDataRequest) op).getPath(), ((GetDataRequest) op).getWatch());
                if (r instanceof Integer err) {
                    out.add(new MultiHeader(OpCode.ERROR, false, err));
                    out.add(new ErrorResponse(err));
                } else {
                    out.add(new MultiHeader(children ? OpCode.GET_CHILDREN : OpCode.GET_DATA, false, 0));
                    out.add((Record) r);
                }
            }
            out.add(new MultiHeader(-1, true, -1));
            conn.send(Frames.packet(out.toArray(Record[]::new)));
        });
    }

    /**
     * ZooKeeper's reconfig, carried out as a Raft membership change. Members are written
     * {@code id@host:raftPort} (joining: comma-separated; leaving: comma-separated ids; or the whole
     * new list). With no change asked for, it just answers the current configuration. The answer is
     * {@code server.ID=HOST:RAFT_PORT} lines and a {@code version}: it is deliberately not published
     * at {@code /zookeeper/config}, where Curator's ensemble tracker would take it for client addresses.
     */
    private void reconfig(int xid, ReconfigRequest r) throws IOException {
        try {
            List<RaftPeerAddress> current = server.raft().members();
            List<RaftPeerAddress> target;
            if (r.getNewMembers() != null && !r.getNewMembers().isBlank()) {
                target = parseMembers(r.getNewMembers());
            } else {
                target = new ArrayList<>(current);
                if (r.getJoiningServers() != null && !r.getJoiningServers().isBlank()) {
                    for (RaftPeerAddress a : parseMembers(r.getJoiningServers())) {
                        target.removeIf(p -> p.id().equals(a.id()));
                        target.add(a);
                    }
                }
                if (r.getLeavingServers() != null && !r.getLeavingServers().isBlank()) {
                    for (String id :
                            r.getLeavingServers().split(",", 0)) { // 0: a trailing comma names no member, as before
                        String leaving = id.trim();
                        if (target.stream().noneMatch(p -> p.id().equals(leaving)))
                            throw new IllegalArgumentException("no member " + leaving);
                        target.removeIf(p -> p.id().equals(leaving));
                    }
                }
            }
            if (!target.equals(current)) server.raft().setMembers(target);
        } catch (IllegalArgumentException e) {
            LOG.info("reconfig refused: {}", e.getMessage());
            conn.reply(xid, Code.BADARGUMENTS.value(), null);
            return;
        } catch (IOException e) {
            LOG.warn("reconfig failed", e);
            conn.reply(xid, NEW_CONFIG_NO_QUORUM, null);
            return;
        }
        StringBuilder config = new StringBuilder();
        for (RaftPeerAddress p : server.raft().members())
            config.append("server.")
                    .append(p.id())
                    .append('=')
                    .append(p.address())
                    .append('\n');
        config.append("version=")
                .append(Long.toHexString(server.state().lastZxid()))
                .append('\n');
        Optional<NodeView> node = read(t -> t.get("/zookeeper/config"));
        conn.reply(
                xid,
                0,
                new GetDataResponse(
                        config.toString().getBytes(StandardCharsets.UTF_8),
                        Jute.stat(node.orElseThrow().stat())));
    }

    private static List<RaftPeerAddress> parseMembers(String list) {
        List<RaftPeerAddress> out = new ArrayList<>();
        for (String s : list.split(",", -1)) if (!s.isBlank()) out.add(RaftPeerAddress.parse(s.trim()));
        return out;
    }

    private void multi(int xid, BinaryInputArchive in) throws IOException {
        List<Txn> ops = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        while (true) {
            MultiHeader mh = Frames.read(in, new MultiHeader());
            if (mh.getDone()) break;
            types.add(mh.getType());
            switch (mh.getType()) {
                case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> {
                    CreateRequest r = Frames.read(in, new CreateRequest());
                    CreateMode mode = mh.getType() == OpCode.CREATE_CONTAINER
                            ? CreateMode.CONTAINER
                            : CreateMode.fromFlag(r.getFlags());
                    ops.add(new Txn.Create(
                            r.getPath(), r.getData(), Jute.acl(r.getAcl()), mode, -1, conn.sessionId(), conn.auth()));
                }
                case OpCode.CREATE_TTL -> {
                    CreateTTLRequest r = Frames.read(in, new CreateTTLRequest());
                    ops.add(new Txn.Create(
                            r.getPath(),
                            r.getData(),
                            Jute.acl(r.getAcl()),
                            CreateMode.fromFlag(r.getFlags()),
                            r.getTtl(),
                            conn.sessionId(),
                            conn.auth()));
                }
                case OpCode.DELETE -> {
                    DeleteRequest r = Frames.read(in, new DeleteRequest());
                    ops.add(new Txn.Delete(r.getPath(), r.getVersion(), conn.auth()));
                }
                case OpCode.SET_DATA -> {
                    SetDataRequest r = Frames.read(in, new SetDataRequest());
                    ops.add(new Txn.SetData(r.getPath(), r.getData(), r.getVersion(), conn.auth()));
                }
                case OpCode.CHECK -> {
                    CheckVersionRequest r = Frames.read(in, new CheckVersionRequest());
                    ops.add(new Txn.Check(r.getPath(), r.getVersion(), conn.auth()));
                }
                default ->
                    throw new Frames.ProtocolException("unsupported operation type " + mh.getType() + " in multi");
            }
        }
        conn.after(server.propose(new Txn.Multi(ops), conn), res -> {
            multiReply(xid, types, res);
            return true;
        });
    }

    private void multiReply(int xid, List<Integer> types, Result res) throws IOException {
        List<Record> out = new ArrayList<>();
        out.add(new ReplyHeader(xid, server.state().lastZxid(), 0));
        List<Result> results = res instanceof Result.MultiResult m ? m.results() : List.of(res);
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            int type = i < types.size() ? types.get(i) : OpCode.ERROR;
            if (r instanceof Result.Error e) {
                out.add(new MultiHeader(OpCode.ERROR, false, e.code().value()));
                out.add(new ErrorResponse(e.code().value()));
            } else if (r instanceof Result.Created c) {
                // ZooKeeper answers every create that returns a Stat (create2, TTL, container) as create2.
                out.add(new MultiHeader(type == OpCode.CREATE ? OpCode.CREATE : OpCode.CREATE2, false, 0));
                out.add(
                        type == OpCode.CREATE
                                ? new CreateResponse(c.actualPath())
                                : new Create2Response(c.actualPath(), Jute.stat(c.stat())));
            } else if (r instanceof Result.StatResult s) {
                out.add(new MultiHeader(type, false, 0));
                out.add(new SetDataResponse(Jute.stat(s.stat())));
            } else {
                out.add(new MultiHeader(type, false, 0));
            }
        }
        out.add(new MultiHeader(-1, true, -1));
        conn.send(Frames.packet(out.toArray(Record[]::new)));
    }

    /** Re-registers a reconnecting client's watches, firing at once those whose change it missed. */
    private void setWatches(
            int xid,
            long relativeZxid,
            List<String> data,
            List<String> exist,
            List<String> child,
            List<String> persistent,
            List<String> recursive)
            throws IOException {
        readAndReply(xid, t -> {
            for (String p : data) {
                Optional<NodeView> n = t.get(p);
                if (n.isEmpty()) conn.sendEvent(WatchRegistry.Event.NODE_DELETED, p);
                else if (n.get().stat().mzxid() > relativeZxid)
                    conn.sendEvent(WatchRegistry.Event.NODE_DATA_CHANGED, p);
                else conn.watch(DATA, p);
            }
            for (String p : exist) {
                if (t.get(p).isPresent()) conn.sendEvent(WatchRegistry.Event.NODE_CREATED, p);
                else conn.watch(DATA, p);
            }
            for (String p : child) {
                Optional<NodeView> n = t.get(p);
                if (n.isEmpty()) conn.sendEvent(WatchRegistry.Event.NODE_DELETED, p);
                else if (n.get().stat().pzxid() > relativeZxid)
                    conn.sendEvent(WatchRegistry.Event.NODE_CHILDREN_CHANGED, p);
                else conn.watch(CHILD, p);
            }
            for (String p : persistent) conn.watch(PERSISTENT, p);
            for (String p : recursive) conn.watch(PERSISTENT_RECURSIVE, p);
            return 0; // OK, without a body
        });
    }

    /** removeWatches/checkWatches: type 1 children, 2 data, 3 any. */
    private boolean watches(String path, int type, boolean remove) {
        List<WatchRegistry.Kind> kinds = switch (type) {
            case 1 -> List.of(CHILD);
            case 2 -> List.of(DATA);
            default -> List.of(CHILD, DATA, PERSISTENT, PERSISTENT_RECURSIVE);
        };
        boolean found = false;
        for (WatchRegistry.Kind k : kinds) {
            found |= remove
                    ? server.watches().remove(k, path, conn)
                    : server.watches().contains(k, path, conn);
        }
        return found;
    }

    private <T> T read(java.util.function.Function<DataTree, T> reader) {
        return server.state().read(reader);
    }

    private static int code(Result r) {
        return r instanceof Result.Error e ? e.code().value() : 0;
    }
}
