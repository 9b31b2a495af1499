package dev.cairn.coord.internal.tree;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * ZooKeeper's data model, as a deterministic state machine: a tree of znodes and the sessions that
 * own ephemerals, changed only by {@link #apply} of committed transactions. Applying the same
 * transactions in the same order gives every replica the same tree, the same results and the
 * same watch events; nothing here reads a clock or a random source (times come with the entry).
 *
 * <p>Validation follows ZooKeeper's request processor, in its order (for a create: bad TTL,
 * session, malformed path, invalid ACL, missing parent, permission, invalid name, existence,
 * ephemeral parent; for a delete: bad path, missing parent, permission, missing node, version,
 * emptiness), and the Stat fields change by its rules: creating a child bumps the parent's child
 * counter and pzxid, deleting one only its pzxid; setData bumps version and mzxid; setACL bumps
 * aversion. Like ZooKeeper, a node stores how many children were ever created under it, and its
 * Stat shows {@code cversion} as that count times two minus the children it has now (creates plus
 * deletes); a sequential node's suffix is the stored count before the create, ten digits wide.
 * Null data is kept apart from empty data, as ZooKeeper does. A failed multi changes nothing: its
 * ops are applied one by one with an undo log, and rolled back at the first error.
 *
 * <p>Not thread-safe: the owner applies and reads under its own lock.
 */
public final class DataTree {
    /** ZooKeeper's marker in ephemeralOwner for container nodes (stored, not shown in a Stat). */
    static final long CONTAINER_OWNER = Long.MIN_VALUE;
    /** ZooKeeper's "extended type" marker for TTL nodes; the TTL is in the low 40 bits. */
    static final long TTL_MARK = 0xff00000000000000L;

    static final long MAX_TTL_MS = 0x000000ffffffffffL;

    private static final int SNAPSHOT_MAGIC = 0x435a5431; // "CZT1"
    /** 2: sessions carry their passwords; 1 (read still) had none. */
    private static final int SNAPSHOT_VERSION = 2;

    private static final List<String> SPECIAL = List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config");

    private final int maxDataBytes;
    private final Map<String, Node> nodes = new HashMap<>();
    private final TreeMap<Long, Integer> sessions = new TreeMap<>();
    /** The passwords of the sessions that have their own (not those created before they did). */
    private final java.util.HashMap<Long, byte[]> passwords = new java.util.HashMap<>();

    private final Map<Long, TreeSet<String>> ephemerals = new HashMap<>();
    private final TreeSet<String> containers = new TreeSet<>();
    private final TreeSet<String> ttls = new TreeSet<>();
    private long lastZxid;
    private long dataBytes;

    /** An empty tree: the root and ZooKeeper's {@code /zookeeper}, {@code /zookeeper/quota}, {@code /zookeeper/config}. */
    public DataTree(int maxDataBytes) {
        this(maxDataBytes, true);
    }

    private DataTree(int maxDataBytes, boolean withSystemNodes) {
        if (maxDataBytes <= 0) throw new IllegalArgumentException("maxDataBytes must be > 0: " + maxDataBytes);
        this.maxDataBytes = maxDataBytes;
        if (withSystemNodes) {
            nodes.put("/", new Node(new byte[0], Acl.OPEN, 0, 0, 0));
            addSystemNode("/zookeeper", Acl.OPEN);
            addSystemNode("/zookeeper/quota", Acl.OPEN);
            addSystemNode("/zookeeper/config", Acl.READ_ONLY);
            // ZooKeeper sets this ACL with setACL(..., version -1), which stores -1 as its aversion.
            nodes.get("/zookeeper/config").aversion = -1;
        }
    }

    /** System nodes exist from the start, with zero zxids and without bumping their parent's cversion (as in ZooKeeper). */
    private void addSystemNode(String path, List<Acl> acl) {
        nodes.put(path, new Node(new byte[0], acl, 0, 0, 0));
        nodes.get(Paths.parent(path)).children.add(Paths.name(path));
    }

    public int maxDataBytes() {
        return maxDataBytes;
    }

    /** The zxid of the last transaction applied (0 for a new tree). */
    public long lastZxid() {
        return lastZxid;
    }

    /**
     * Applies one committed transaction.
     *
     * @param zxid   its id, which orders it among all transactions (the owner derives it from the
     *               transaction's place in the log); must grow from call to call
     * @param timeMs the proposer's clock when it was proposed (becomes ctime/mtime)
     * @throws IllegalStateException when {@code zxid} does not grow: the log was replayed wrongly
     */
    public Applied apply(long zxid, long timeMs, Txn txn) {
        if (zxid <= lastZxid) throw new IllegalStateException("zxid " + zxid + " applied after " + lastZxid);
        lastZxid = zxid;
        List<WatchEvent> events = new ArrayList<>(2);
        Result result = switch (txn) {
            case Txn.CreateSession t -> {
                sessions.put(t.sessionId(), t.timeoutMs());
                if (t.password() != null)
                    passwords.put(t.sessionId(), t.password().clone());
                yield new Result.SessionCreated(t.sessionId());
            }
            case Txn.CloseSession t -> closeSession(t.sessionId(), zxid, events);
            case Txn.Multi t -> multi(t, zxid, timeMs, events);
            default -> op(txn, zxid, timeMs, null, events);
        };
        return new Applied(result, events);
    }

    private Result closeSession(long sessionId, long zxid, List<WatchEvent> events) {
        sessions.remove(sessionId);
        passwords.remove(sessionId);
        TreeSet<String> owned = ephemerals.remove(sessionId);
        if (owned == null) return new Result.SessionClosed(List.of());
        List<String> deleted = new ArrayList<>(owned);
        for (String path : deleted) {
            Node node = nodes.get(path);
            removeNode(path, node, nodes.get(Paths.parent(path)), zxid, null, events);
        }
        return new Result.SessionClosed(deleted);
    }

    private Result multi(Txn.Multi multi, long zxid, long timeMs, List<WatchEvent> events) {
        Deque<Runnable> undo = new ArrayDeque<>();
        List<WatchEvent> pending = new ArrayList<>();
        List<Result> results = new ArrayList<>(multi.ops().size());
        int failedAt = -1;
        Result.Error failure = null;
        for (int i = 0; i < multi.ops().size() && failedAt < 0; i++) {
            Txn op = multi.ops().get(i);
            Result r = switch (op) {
                case Txn.Create c -> op(c, zxid, timeMs, undo, pending);
                case Txn.Delete d -> op(d, zxid, timeMs, undo, pending);
                case Txn.SetData s -> op(s, zxid, timeMs, undo, pending);
                case Txn.Check c -> op(c, zxid, timeMs, undo, pending);
                default -> new Result.Error(Code.BADARGUMENTS, pathOf(op));
            };
            if (r instanceof Result.Error e) {
                failedAt = i;
                failure = e;
            } else {
                results.add(r);
            }
        }
        if (failedAt < 0) {
            events.addAll(pending);
            return new Result.MultiResult(results);
        }
        while (!undo.isEmpty()) undo.pop().run();
        List<Result> failed = new ArrayList<>(multi.ops().size());
        for (int i = 0; i < multi.ops().size(); i++) {
            String path = pathOf(multi.ops().get(i));
            if (i < failedAt) failed.add(new Result.Error(Code.OK, path));
            else if (i == failedAt) failed.add(failure);
            else failed.add(new Result.Error(Code.RUNTIMEINCONSISTENCY, path));
        }
        return new Result.MultiResult(failed);
    }

    private static String pathOf(Txn op) {
        return switch (op) {
            case Txn.Create c -> c.path();
            case Txn.Delete d -> d.path();
            case Txn.DeleteContainer d -> d.path();
            case Txn.SetData s -> s.path();
            case Txn.SetAcl s -> s.path();
            case Txn.Check c -> c.path();
            default -> null;
        };
    }

    /** One change; validates fully before touching anything, and records its inverse in {@code undo} when given. */
    private Result op(Txn txn, long zxid, long timeMs, Deque<Runnable> undo, List<WatchEvent> events) {
        return switch (txn) {
            case Txn.Create c -> create(c, zxid, timeMs, undo, events);
            case Txn.Delete d -> delete(d, zxid, undo, events);
            case Txn.DeleteContainer d -> deleteContainer(d, zxid, timeMs, events);
            case Txn.SetData s -> setData(s, zxid, timeMs, undo, events);
            case Txn.SetAcl s -> setAcl(s);
            case Txn.Check c -> check(c);
            case Txn.CreateSession t -> throw new IllegalArgumentException("not a tree operation: " + t);
            case Txn.CloseSession t -> throw new IllegalArgumentException("not a tree operation: " + t);
            case Txn.Multi t -> throw new IllegalArgumentException("nested multi");
        };
    }

    private Result create(Txn.Create c, long zxid, long timeMs, Deque<Runnable> undo, List<WatchEvent> events) {
        String path = c.path();
        CreateMode mode = c.mode();
        if (mode.isTtl() ? c.ttlMs() <= 0 || c.ttlMs() > MAX_TTL_MS : c.ttlMs() >= 0)
            return error(Code.BADARGUMENTS, path);
        if (c.sessionId() != 0 && !sessions.containsKey(c.sessionId())) return error(Code.SESSIONEXPIRED, path);
        if (mode.isEphemeral() && c.sessionId() == 0) return error(Code.BADARGUMENTS, path);
        if (length(c.data()) > maxDataBytes) return error(Code.BADARGUMENTS, path);
        // ZooKeeper only checks for a slash and NUL here; the full path check comes after the ACL checks.
        if (path.lastIndexOf('/') < 0 || path.indexOf('\0') >= 0) return error(Code.BADARGUMENTS, path);
        List<Acl> acl = Acls.fixup(c.acl(), c.auth());
        if (acl == null) return error(Code.INVALIDACL, path);
        String parentPath = Paths.parent(path);
        Node parent = nodes.get(parentPath);
        if (parent == null) return error(Code.NONODE, path);
        if (!Acls.permits(parent.acl, Acl.CREATE, c.auth())) return error(Code.NOAUTH, path);
        String actual = mode.isSequential() ? path + String.format(Locale.ROOT, "%010d", parent.cversion) : path;
        if (!Paths.isValid(actual)) return error(Code.BADARGUMENTS, actual);
        if (nodes.containsKey(actual)) return error(Code.NODEEXISTS, actual);
        if (isSessionOwned(parent.ephemeralOwner)) return error(Code.NOCHILDRENFOREPHEMERALS, actual);

        long owner = mode.isContainer()
                ? CONTAINER_OWNER
                : mode.isTtl() ? TTL_MARK | c.ttlMs() : mode.isEphemeral() ? c.sessionId() : 0;
        Node node = new Node(c.data(), acl, zxid, timeMs, owner);
        String name = Paths.name(actual);
        int oldCversion = parent.cversion;
        long oldPzxid = parent.pzxid;
        parent.cversion++;
        parent.pzxid = zxid;
        parent.children.add(name);
        nodes.put(actual, node);
        dataBytes += length(node.data);
        index(actual, owner);
        if (undo != null) {
            undo.push(() -> {
                unindex(actual, owner);
                dataBytes -= length(node.data);
                nodes.remove(actual);
                parent.children.remove(name);
                parent.cversion = oldCversion;
                parent.pzxid = oldPzxid;
            });
        }
        events.add(new WatchEvent(WatchEvent.Type.NodeCreated, actual, node.acl));
        events.add(new WatchEvent(WatchEvent.Type.NodeChildrenChanged, Paths.parent(actual), parent.acl));
        return new Result.Created(actual, node.stat());
    }

    private Result delete(Txn.Delete d, long zxid, Deque<Runnable> undo, List<WatchEvent> events) {
        String path = d.path();
        // Like ZooKeeper: no full path check, only a slash, no NUL, and none of the system nodes.
        if (path.lastIndexOf('/') < 0 || path.indexOf('\0') >= 0 || SPECIAL.contains(path))
            return error(Code.BADARGUMENTS, path);
        Node parent = nodes.get(Paths.parent(path));
        if (parent == null) return error(Code.NONODE, path);
        if (!Acls.permits(parent.acl, Acl.DELETE, d.auth())) return error(Code.NOAUTH, path);
        Node node = nodes.get(path);
        if (node == null) return error(Code.NONODE, path);
        if (d.version() != -1 && d.version() != node.version) return error(Code.BADVERSION, path);
        if (!node.children.isEmpty()) return error(Code.NOTEMPTY, path);
        removeNode(path, node, parent, zxid, undo, events);
        return new Result.Deleted();
    }
    /**
     * The leader proposes this for candidates it saw in {@link #expiredCandidates}; the tree may
     * have changed since, so the candidacy is checked again here, against the entry's time.
     */
    private Result deleteContainer(Txn.DeleteContainer d, long zxid, long timeMs, List<WatchEvent> events) {
        String path = d.path();
        Node node = nodes.get(path);
        if (node == null) return error(Code.NONODE, path);
        if (!node.children.isEmpty()) return error(Code.NOTEMPTY, path);
        if (!isRemovable(node, timeMs)) return error(Code.BADVERSION, path);
        removeNode(path, node, nodes.get(Paths.parent(path)), zxid, null, events);
        return new Result.Deleted();
    }

    private void removeNode(
            String path, Node node, Node parent, long zxid, Deque<Runnable> undo, List<WatchEvent> events) {
        String name = Paths.name(path);
        long oldPzxid = parent.pzxid;
        parent.children.remove(name);
        parent.pzxid = Math.max(parent.pzxid, zxid);
        nodes.remove(path);
        dataBytes -= length(node.data);
        unindex(path, node.ephemeralOwner);
        if (undo != null) {
            undo.push(() -> {
                index(path, node.ephemeralOwner);
                dataBytes += length(node.data);
                nodes.put(path, node);
                parent.children.add(name);
                parent.pzxid = oldPzxid;
            });
        }
        events.add(new WatchEvent(WatchEvent.Type.NodeDeleted, path, node.acl));
        events.add(new WatchEvent(WatchEvent.Type.NodeChildrenChanged, Paths.parent(path), parent.acl));
    }

    private Result setData(Txn.SetData s, long zxid, long timeMs, Deque<Runnable> undo, List<WatchEvent> events) {
        String path = s.path();
        if (!Paths.isValid(path) || length(s.data()) > maxDataBytes) return error(Code.BADARGUMENTS, path);
        Node node = nodes.get(path);
        if (node == null) return error(Code.NONODE, path);
        if (!Acls.permits(node.acl, Acl.WRITE, s.auth())) return error(Code.NOAUTH, path);
        if (s.version() != -1 && s.version() != node.version) return error(Code.BADVERSION, path);
        byte[] oldData = node.data;
        long oldMzxid = node.mzxid;
        long oldMtime = node.mtime;
        int oldVersion = node.version;
        node.data = s.data();
        node.mzxid = zxid;
        node.mtime = timeMs;
        node.version = nextVersion(oldVersion);
        dataBytes += length(node.data) - length(oldData);
        if (undo != null) {
            undo.push(() -> {
                dataBytes -= length(node.data) - length(oldData);
                node.data = oldData;
                node.mzxid = oldMzxid;
                node.mtime = oldMtime;
                node.version = oldVersion;
            });
        }
        events.add(new WatchEvent(WatchEvent.Type.NodeDataChanged, path, node.acl));
        return new Result.StatResult(node.stat());
    }

    private Result setAcl(Txn.SetAcl s) {
        String path = s.path();
        if (!Paths.isValid(path)) return error(Code.BADARGUMENTS, path);
        List<Acl> acl = Acls.fixup(s.acl(), s.auth());
        if (acl == null) return error(Code.INVALIDACL, path);
        Node node = nodes.get(path);
        if (node == null) return error(Code.NONODE, path);
        if (!Acls.permits(node.acl, Acl.ADMIN, s.auth())) return error(Code.NOAUTH, path);
        if (s.version() != -1 && s.version() != node.aversion) return error(Code.BADVERSION, path);
        node.acl = List.copyOf(acl);
        node.aversion = nextVersion(node.aversion);
        return new Result.StatResult(node.stat());
    }

    private Result check(Txn.Check c) {
        String path = c.path();
        if (!Paths.isValid(path)) return error(Code.BADARGUMENTS, path);
        Node node = nodes.get(path);
        if (node == null) return error(Code.NONODE, path);
        if (!Acls.permits(node.acl, Acl.READ, c.auth())) return error(Code.NOAUTH, path);
        if (c.version() != -1 && c.version() != node.version) return error(Code.BADVERSION, path);
        return new Result.Checked();
    }

    /** Versions count up; -1 means "any version" on the wire, so the counter skips it when it wraps. */
    private static int nextVersion(int v) {
        int next = v + 1;
        return next == -1 ? 0 : next;
    }

    /** Data may be null (ZooKeeper keeps null apart from empty); its length is then 0. */
    private static int length(byte[] data) {
        return data == null ? 0 : data.length;
    }

    private static Result.Error error(Code code, String path) {
        return new Result.Error(code, path);
    }

    private static boolean isSessionOwned(long owner) {
        return owner != 0 && owner != CONTAINER_OWNER && (owner & TTL_MARK) != TTL_MARK;
    }

    private static boolean isTtl(long owner) {
        return owner != CONTAINER_OWNER && (owner & TTL_MARK) == TTL_MARK;
    }

    private void index(String path, long owner) {
        if (owner == CONTAINER_OWNER) containers.add(path);
        else if (isTtl(owner)) ttls.add(path);
        else if (owner != 0)
            ephemerals.computeIfAbsent(owner, k -> new TreeSet<>()).add(path);
    }

    private void unindex(String path, long owner) {
        if (owner == CONTAINER_OWNER) {
            containers.remove(path);
        } else if (isTtl(owner)) {
            ttls.remove(path);
        } else if (owner != 0) {
            TreeSet<String> owned = ephemerals.get(owner);
            if (owned != null) {
                owned.remove(path);
                if (owned.isEmpty()) ephemerals.remove(owner);
            }
        }
    }

    /**
     * ZooKeeper's container manager rules: a container goes once it had children and has none
     * left; a TTL node once it has no children and was not modified for its TTL.
     */
    private static boolean isRemovable(Node node, long nowMs) {
        if (!node.children.isEmpty()) return false;
        if (node.ephemeralOwner == CONTAINER_OWNER) return node.cversion > 0;
        if (isTtl(node.ephemeralOwner)) return nowMs - node.mtime > (node.ephemeralOwner & MAX_TTL_MS);
        return false;
    }

    // ---- reads ------------------------------------------------------------------------

    public Optional<NodeView> get(String path) {
        Node n = nodes.get(path);
        return n == null ? Optional.empty() : Optional.of(new NodeView(n.data, n.stat(), n.acl));
    }

    /** The names of a node's children, sorted; empty when the node does not exist. */
    public List<String> children(String path) {
        Node n = nodes.get(path);
        return n == null ? List.of() : List.copyOf(n.children);
    }

    /** How many nodes lie below {@code path} (its descendants, not itself). */
    public int allChildrenCount(String path) {
        Node start = nodes.get(path);
        if (start == null) return 0;
        if (path.equals("/")) return nodes.size() - 1;
        int count = 0;
        Deque<String> todo = new ArrayDeque<>();
        todo.push(path);
        while (!todo.isEmpty()) {
            String p = todo.pop();
            for (String name : nodes.get(p).children) {
                count++;
                todo.push(Paths.child(p, name));
            }
        }
        return count;
    }

    /** The paths of a session's ephemeral nodes, sorted. */
    public List<String> ephemerals(long sessionId) {
        TreeSet<String> owned = ephemerals.get(sessionId);
        return owned == null ? List.of() : List.copyOf(owned);
    }

    /** {@link Code#NONODE}, {@link Code#NOAUTH} or {@link Code#OK}. */
    public Code checkAcl(String path, int perm, List<Id> clientIds) {
        Node n = nodes.get(path);
        if (n == null) return Code.NONODE;
        return Acls.permits(n.acl, perm, clientIds) ? Code.OK : Code.NOAUTH;
    }

    /** Whether the session is open. */
    public boolean hasSession(long sessionId) {
        return sessions.containsKey(sessionId);
    }

    /** How many sessions are open. */
    public int sessionCount() {
        return sessions.size();
    }

    /** An open session's timeout; null when it is not open. */
    public Integer sessionTimeoutMs(long sessionId) {
        return sessions.get(sessionId);
    }

    /**
     * The password a client must present to resume an open session: its own, or null for a
     * session created before sessions had their own (or one not open).
     */
    public byte[] sessionPassword(long sessionId) {
        byte[] p = passwords.get(sessionId);
        return p == null ? null : p.clone();
    }

    /** Open sessions and their timeouts. */
    public Map<Long, Integer> sessions() {
        return Collections.unmodifiableMap(new TreeMap<>(sessions));
    }

    /** Containers and TTL nodes that the leader should now propose to delete, sorted. */
    public List<String> expiredCandidates(long nowMs) {
        List<String> out = new ArrayList<>();
        for (String p : containers) if (isRemovable(nodes.get(p), nowMs)) out.add(p);
        for (String p : ttls) if (isRemovable(nodes.get(p), nowMs)) out.add(p);
        Collections.sort(out);
        return out;
    }

    public int nodeCount() {
        return nodes.size();
    }

    public int ephemeralCount() {
        int n = 0;
        for (TreeSet<String> s : ephemerals.values()) n += s.size();
        return n;
    }

    /** The sum of all nodes' data lengths. */
    public long dataBytes() {
        return dataBytes;
    }

    // ---- snapshots --------------------------------------------------------------------

    /** Writes the whole state; nodes in depth-first order of sorted names, so equal trees give equal bytes. */
    public void writeSnapshot(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(SNAPSHOT_VERSION);
        out.writeLong(lastZxid);
        out.writeInt(sessions.size());
        for (Map.Entry<Long, Integer> s : sessions.entrySet()) {
            out.writeLong(s.getKey());
            out.writeInt(s.getValue());
            byte[] password = passwords.get(s.getKey());
            out.writeByte(password == null ? 0 : password.length);
            if (password != null) out.write(password);
        }
        out.writeInt(nodes.size());
        Deque<String> todo = new ArrayDeque<>();
        todo.push("/");
        while (!todo.isEmpty()) {
            String path = todo.pop();
            Node n = nodes.get(path);
            TxnCodec.writeString(out, path);
            TxnCodec.writeNullableBytes(out, n.data);
            TxnCodec.writeAcl(out, n.acl);
            out.writeLong(n.czxid);
            out.writeLong(n.mzxid);
            out.writeLong(n.pzxid);
            out.writeLong(n.ctime);
            out.writeLong(n.mtime);
            out.writeInt(n.version);
            out.writeInt(n.cversion);
            out.writeInt(n.aversion);
            out.writeLong(n.ephemeralOwner);
            for (String name : n.children.descendingSet()) todo.push(Paths.child(path, name));
        }
    }

    /** Reads a snapshot written by {@link #writeSnapshot}; IOException when the stream is not one. */
    public static DataTree readSnapshot(DataInputStream in, int maxDataBytes) throws IOException {
        if (in.readInt() != SNAPSHOT_MAGIC) throw new IOException("not a coord tree snapshot");
        int version = in.readInt();
        if (version != 1 && version != SNAPSHOT_VERSION)
            throw new IOException("unsupported coord tree snapshot version " + version);
        DataTree t = new DataTree(maxDataBytes, false);
        t.lastZxid = in.readLong();
        int sessionCount = in.readInt();
        for (int i = 0; i < sessionCount; i++) {
            long id = in.readLong();
            t.sessions.put(id, in.readInt());
            int passwordBytes = version == 1 ? 0 : in.readUnsignedByte();
            if (passwordBytes > 0) {
                if (passwordBytes != Txn.CreateSession.PASSWORD_BYTES)
                    throw new IOException("session 0x" + Long.toHexString(id) + " has a " + passwordBytes
                            + "-byte password in the snapshot");
                byte[] password = new byte[passwordBytes];
                in.readFully(password);
                t.passwords.put(id, password);
            }
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String path = TxnCodec.readString(in);
            byte[] data = TxnCodec.readNullableBytes(in);
            List<Acl> acl = TxnCodec.readAcl(in);
            Node n = new Node(data, acl, in.readLong(), 0, 0);
            n.mzxid = in.readLong();
            n.pzxid = in.readLong();
            n.ctime = in.readLong();
            n.mtime = in.readLong();
            n.version = in.readInt();
            n.cversion = in.readInt();
            n.aversion = in.readInt();
            n.ephemeralOwner = in.readLong();
            if (!path.equals("/")) {
                Node parent = t.nodes.get(Paths.parent(path));
                if (parent == null) throw new IOException("snapshot lists " + path + " before its parent");
                parent.children.add(Paths.name(path));
            } else if (i != 0) {
                throw new IOException("snapshot lists the root twice");
            }
            t.nodes.put(path, n);
            t.dataBytes += length(data);
            t.index(path, n.ephemeralOwner);
        }
        if (!t.nodes.containsKey("/")) throw new IOException("snapshot has no root");
        return t;
    }

    /** A hash of the whole state (SHA-256 of the snapshot, first 8 bytes): equal on replicas that applied the same log. */
    public long digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (DataOutputStream out =
                    new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), sha))) {
                writeSnapshot(out);
            }
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A znode; mutable, owned by the tree. {@code data} may be null. */
    private static final class Node {
        byte[] data;
        List<Acl> acl;
        final TreeSet<String> children = new TreeSet<>();
        long czxid;
        long mzxid;
        long pzxid;
        long ctime;
        long mtime;
        int version;
        /** Children ever created here (ZooKeeper's stored cversion); {@link #stat} shows creates plus deletes. */
        int cversion;

        int aversion;
        long ephemeralOwner;

        Node(byte[] data, List<Acl> acl, long zxid, long timeMs, long ephemeralOwner) {
            this.data = data;
            this.acl = List.copyOf(acl);
            this.czxid = zxid;
            this.mzxid = zxid;
            this.pzxid = zxid;
            this.ctime = timeMs;
            this.mtime = timeMs;
            this.ephemeralOwner = ephemeralOwner;
        }

        /**
         * ZooKeeper's Stat: the stored count of creates becomes creates plus deletes (cversion * 2 -
         * children), and the container and TTL markers are not shown (ephemeralOwner 0).
         */
        Stat stat() {
            return new Stat(
                    czxid,
                    mzxid,
                    ctime,
                    mtime,
                    version,
                    cversion * 2 - children.size(),
                    aversion,
                    isSessionOwned(ephemeralOwner) ? ephemeralOwner : 0,
                    length(data),
                    children.size(),
                    pzxid);
        }
    }
}
