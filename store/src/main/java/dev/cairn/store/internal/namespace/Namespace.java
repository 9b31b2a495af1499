package dev.cairn.store.internal.namespace;

import dev.cairn.store.FsPermission;
import dev.cairn.store.PermissionDeniedException;
import dev.cairn.store.internal.disk.BlockId;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The store's namespace, kept in coord: every directory and every closed file is a znode under
 * {@value #NS} whose data is its {@link Inode}. Coord replicates it with Raft, so the namespace
 * has no single point of failure, and every change that must be atomic — closing a file (it
 * appears with its whole block list at once), rename, recursive delete — is one ZooKeeper
 * {@code multi}.
 *
 * <p>Files being written are not in the namespace: a writer holds an ephemeral znode under
 * {@value #PENDING} naming the target and the blocks it has allocated so far. When the writer
 * dies its session expires, the znode goes, and its blocks become orphans that garbage collection
 * removes; a file becomes visible only in {@link #commit}.
 *
 * <p>Every entry has an owner, a group and mode bits ({@link Inode.Access}); in a secure cluster its
 * znode carries the matching ACL ({@link AccessControl}), set in the same {@code multi} that
 * creates it, so coord itself refuses what the caller may not do, and a refusal becomes a
 * {@link PermissionDeniedException} naming the store path and the missing right.
 *
 * <p>Limits: a {@code multi} travels in one packet (coord.max-data, 1 MiB by default), which
 * bounds a rename or recursive delete to some ten thousand entries at once.
 */
public final class Namespace {
    public static final String ROOT = "/cairn/store";
    public static final String NS = ROOT + "/ns";
    public static final String PENDING = ROOT + "/pending";
    public static final String NODES = ROOT + "/nodes";
    public static final String CORRUPT = ROOT + "/corrupt";
    /** Only super users may create under it: a {@code multi} touching it proves the caller is one (chown). */
    public static final String GUARD = ROOT + "/admin-guard";

    /**
     * Probe names must never collide: two writers may start in one directory in the same
     * millisecond, in one JVM or in two. A JVM-wide counter after a random prefix drawn once per
     * JVM makes each name unique (it names a znode, it decides nothing).
     */
    private static final String PROBE_NONCE = Long.toHexString(new java.security.SecureRandom().nextLong());

    private static final AtomicLong PROBES = new AtomicLong();

    private static String probeName(String prefix) {
        return prefix + PROBE_NONCE + "-" + Long.toHexString(PROBES.incrementAndGet());
    }

    private final CuratorFramework client;
    private final LongSupplier clock;
    private final Caller caller;

    /**
     * Who uses the namespace: new entries are theirs.
     *
     * @param user   the user name: a certificate's CN in a secure cluster, else the JVM's user name
     * @param secure whether coord enforces ACLs (mutual TLS): if not, ACLs stay open
     * @param umask  bits cleared from the mode of new entries
     */
    public record Caller(String user, boolean secure, FsPermission umask) {
        /** A store node: a super user in a secure cluster; it creates only the root entries. */
        public static Caller node(boolean secure) {
            return new Caller(Inode.LEGACY_OWNER, secure, new FsPermission(022));
        }
    }

    /** An entry of the namespace with the znode version it was read at. */
    public record Entry(String path, Inode inode, int version) {}

    /** A namespace for a store node that enforces nothing itself (plain mode ACLs). */
    public Namespace(CuratorFramework client, LongSupplier clockMillis) {
        this(client, clockMillis, Caller.node(false));
    }

    public Namespace(CuratorFramework client, LongSupplier clockMillis, Caller caller) {
        this.client = client;
        this.clock = clockMillis;
        this.caller = caller;
    }

    public Caller caller() {
        return caller;
    }

    /** The access a new entry under {@code parent} gets: the caller's, the parent's group, the default mode less the umask. */
    Inode.Access newAccess(Inode parent, boolean directory) {
        FsPermission base = directory ? FsPermission.DIR_DEFAULT : FsPermission.FILE_DEFAULT;
        return new Inode.Access(caller.user(), parent.access().group(), base.minus(caller.umask()));
    }

    private List<ACL> acl(Inode inode) {
        return AccessControl.acl(inode.access(), caller.secure());
    }

    private PermissionDeniedException denied(String path, String right) {
        return new PermissionDeniedException(path, caller.user(), right);
    }

    static String znode(String path) {
        return path.equals("/") ? NS : NS + path;
    }

    /** Creates the store's root entries if they are missing (idempotent, safe to race). */
    public void ensureRoot() throws IOException {
        call(() -> {
            for (String z : List.of(PENDING, NODES, CORRUPT)) {
                if (client.checkExists().forPath(z) == null) {
                    try {
                        client.create().creatingParentsIfNeeded().forPath(z, new byte[0]);
                    } catch (KeeperException.NodeExistsException raced) {
                        // another node made it
                    }
                }
            }
            if (client.checkExists().forPath(GUARD) == null) {
                try {
                    client.create().withACL(AccessControl.guardAcl()).forPath(GUARD, new byte[0]);
                } catch (KeeperException.NodeExistsException raced) {
                    // another node made it
                }
            }
            if (client.checkExists().forPath(NS) == null) {
                // The root belongs to the system owner with mode 755: in a secure cluster only
                // super users create top-level directories (and chown them to their users).
                Inode.Dir root = new Inode.Dir(clock.getAsLong());
                try {
                    client.create().withACL(acl(root)).forPath(NS, root.encode());
                } catch (KeeperException.NodeExistsException raced) {
                    // another node made it
                }
            }
            return null;
        });
    }

    /** The entry at a normalized path. */
    public Entry stat(String path) throws IOException {
        return call(() -> {
            Stat stat = new Stat();
            try {
                byte[] data = client.getData().storingStatIn(stat).forPath(znode(path));
                return new Entry(path, Inode.decode(path, data), stat.getVersion());
            } catch (KeeperException.NoNodeException e) {
                throw new NoSuchFileException(path, null, "no such file or directory in the store");
            } catch (KeeperException.NoAuthException e) {
                throw denied(path, "read");
            }
        });
    }

    /** A directory's entries, sorted by name; a file lists as itself. */
    public List<Entry> list(String path) throws IOException {
        Entry e = stat(path);
        if (e.inode() instanceof Inode.File) return List.of(e);
        List<String> names = call(() -> {
            try {
                return client.getChildren().forPath(znode(path));
            } catch (KeeperException.NoNodeException gone) {
                throw new NoSuchFileException(path);
            } catch (KeeperException.NoAuthException noAuth) {
                throw denied(path, "read");
            }
        });
        List<Entry> out = new ArrayList<>();
        for (String name : names.stream().sorted().toList()) {
            try {
                out.add(stat(StorePaths.child(path, name)));
            } catch (NoSuchFileException deletedMeanwhile) {
                // listed, then removed by someone else: not there any more
            }
        }
        return out;
    }

    /** Creates a directory and its missing parents; fine if it exists as a directory. */
    public void mkdirs(String path) throws IOException {
        if (path.equals("/")) return;
        String sofar = "";
        Inode parent = stat("/").inode();
        for (String segment : path.substring(1).split("/", -1)) {
            sofar = sofar + "/" + segment;
            String p = sofar;
            // Look before creating: coord checks the parent's ACL before whether the entry exists,
            // and an existing directory must not need write on its parent.
            Entry existing = statIfExists(p);
            if (existing == null) {
                Inode.Dir dir = new Inode.Dir(clock.getAsLong(), newAccess(parent, true));
                call(() -> {
                    try {
                        client.create().withACL(acl(dir)).forPath(znode(p), dir.encode());
                    } catch (KeeperException.NodeExistsException e) {
                        return null; // made meanwhile: looked at below
                    } catch (KeeperException.NoNodeException e) {
                        throw new NoSuchFileException(
                                StorePaths.parent(p), null, "parent vanished while creating " + path);
                    } catch (KeeperException.NoAuthException e) {
                        throw denied(StorePaths.parent(p), "write");
                    }
                    return null;
                });
                existing = stat(p);
            }
            if (!(existing.inode() instanceof Inode.Dir)) {
                throw new NotDirectoryException(p + " is a file (creating " + path + ")");
            }
            parent = existing.inode();
        }
    }

    private Entry statIfExists(String path) throws IOException {
        try {
            return stat(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Starts a write of {@code path}: returns the pending znode that holds the write's blocks until it closes. */
    public String beginWrite(String path) throws IOException {
        mkdirs(StorePaths.parent(path));
        String parent = StorePaths.parent(path);
        return call(() -> {
            // The write is refused now, not after its bytes are stored, if the caller may not
            // create in the directory: the multi also creates and deletes a probe entry there,
            // which coord allows only with write on it.
            String probe = znode(StorePaths.child(parent, probeName(".cairn-probe-")));
            try {
                return client.transaction()
                        .forOperations(
                                client.transactionOp()
                                        .create()
                                        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                                        .withACL(AccessControl.pendingAcl(caller.user(), caller.secure()))
                                        .forPath(PENDING + "/w-", pending(path, List.of())),
                                client.transactionOp().create().forPath(probe, new byte[0]),
                                client.transactionOp().delete().forPath(probe))
                        .getFirst()
                        .getResultPath();
            } catch (KeeperException.NoAuthException e) {
                throw denied(parent, "write");
            } catch (KeeperException.NoNodeException e) {
                throw new NoSuchFileException(parent, null, "vanished while starting to write " + path);
            }
        });
    }

    /** Records a block in a pending write before any byte of it is written, so no block is ever unaccounted for. */
    public void updateWrite(String pendingZnode, String path, List<BlockId> blocks) throws IOException {
        call(() -> client.setData().forPath(pendingZnode, pending(path, blocks)));
    }

    /** Abandons a pending write; its blocks become orphans. */
    public void abandonWrite(String pendingZnode) throws IOException {
        call(() -> {
            try {
                client.delete().forPath(pendingZnode);
            } catch (KeeperException.NoNodeException e) {
                // already gone (session expired)
            }
            return null;
        });
    }

    private static byte[] pending(String path, List<BlockId> blocks) {
        StringBuilder sb = new StringBuilder(path);
        for (BlockId b : blocks) sb.append('\n').append(b);
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The blocks of every pending write (garbage collection must spare them). */
    public List<BlockId> pendingBlocks() throws IOException {
        return call(() -> {
            List<BlockId> out = new ArrayList<>();
            for (String w : client.getChildren().forPath(PENDING)) {
                try {
                    String text = new String(
                            client.getData().forPath(PENDING + "/" + w), java.nio.charset.StandardCharsets.UTF_8);
                    String[] lines = text.split("\n", -1);
                    for (int i = 1; i < lines.length; i++) out.add(BlockId.parse(lines[i]));
                } catch (KeeperException.NoNodeException gone) {
                    // closed or abandoned meanwhile: its blocks are in a file now, or orphans
                }
            }
            return out;
        });
    }

    /**
     * Makes a written file visible at {@code path}, atomically with ending its pending write.
     * Missing parent directories are created.
     *
     * @throws FileAlreadyExistsException if {@code path} exists and {@code overwrite} is false, or is a directory
     * @return the file that was replaced, if any (its blocks are now garbage)
     */
    public Inode.File commit(String pendingZnode, String path, Inode.File written, boolean overwrite)
            throws IOException {
        mkdirs(StorePaths.parent(path));
        Inode.File file =
                written.withAccess(newAccess(stat(StorePaths.parent(path)).inode(), false));
        for (int attempt = 0; attempt < 10; attempt++) {
            Entry existing;
            try {
                existing = stat(path);
            } catch (NoSuchFileException e) {
                existing = null;
            }
            if (existing != null && (existing.inode() instanceof Inode.Dir || !overwrite)) {
                throw new FileAlreadyExistsException(
                        path,
                        null,
                        existing.inode() instanceof Inode.Dir ? "is a directory" : "exists (overwrite not asked for)");
            }
            Entry old = existing;
            List<CuratorOp> ops = new ArrayList<>();
            boolean done = call(() -> {
                if (old != null)
                    ops.add(client.transactionOp()
                            .delete()
                            .withVersion(old.version())
                            .forPath(znode(path)));
                ops.add(client.transactionOp().create().withACL(acl(file)).forPath(znode(path), file.encode()));
                ops.add(client.transactionOp().delete().forPath(pendingZnode));
                try {
                    client.transaction().forOperations(ops);
                    return true;
                } catch (KeeperException.NoAuthException e) {
                    throw denied(StorePaths.parent(path), "write");
                } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException raced) {
                    return false; // someone else wrote the path meanwhile: look again
                } catch (KeeperException.NoNodeException e) {
                    if (client.checkExists().forPath(pendingZnode) == null) {
                        throw new IOException("the write of " + path
                                + " lost its coord session before it closed; nothing was committed");
                    }
                    return false;
                }
            });
            if (done) return old == null ? null : (Inode.File) old.inode();
        }
        throw new IOException("could not close " + path + ": it kept changing under concurrent writers");
    }

    /**
     * Deletes a file, or a directory with everything under it when {@code recursive}, atomically.
     *
     * @return the files deleted (their blocks are now garbage)
     */
    public List<Inode.File> delete(String path, boolean recursive) throws IOException {
        if (path.equals("/")) throw new IllegalArgumentException("refusing to delete the store's root directory");
        List<Entry> subtree = subtree(path);
        Entry top = subtree.getFirst();
        if (top.inode() instanceof Inode.Dir && subtree.size() > 1 && !recursive) {
            throw new DirectoryNotEmptyException(path + " (delete it recursively)");
        }
        List<CuratorOp> ops = new ArrayList<>();
        call(() -> {
            List<String> parents = new ArrayList<>();
            for (Entry e : subtree.reversed()) {
                ops.add(client.transactionOp().delete().withVersion(e.version()).forPath(znode(e.path())));
                parents.add(StorePaths.parent(e.path()));
            }
            try {
                client.transaction().forOperations(ops);
            } catch (KeeperException.NoAuthException e) {
                throw denied(parents.get(Math.max(0, failedOp(e))), "write");
            } catch (KeeperException.BadVersionException
                    | KeeperException.NotEmptyException
                    | KeeperException.NoNodeException e) {
                throw new IOException(path + " changed while it was being deleted; try again", e);
            }
            return null;
        });
        return files(subtree);
    }

    /**
     * Renames a file or directory, atomically. If {@code dst} is an existing directory the source
     * moves into it, as {@code mv} does.
     *
     * @return the path the source now has
     */
    public String rename(String src, String dst) throws IOException {
        String target = dst;
        try {
            Entry d = stat(dst);
            if (d.inode() instanceof Inode.Dir) target = StorePaths.child(dst, StorePaths.name(src));
        } catch (NoSuchFileException e) {
            // the usual case: a new name
        }
        return renameTo(src, target);
    }

    /**
     * Renames a file or directory to exactly {@code target}, atomically; never into it.
     *
     * @throws FileAlreadyExistsException if {@code target} exists
     * @return {@code target}
     */
    public String renameTo(String src, String target) throws IOException {
        if (src.equals("/")) throw new IllegalArgumentException("cannot rename the store's root directory");
        if (StorePaths.isWithin(target, src))
            throw new IllegalArgumentException("cannot move " + src + " into itself (" + target + ")");
        String parent = StorePaths.parent(target);
        if (!(stat(parent).inode() instanceof Inode.Dir)) throw new NotDirectoryException(parent);
        String to = target;
        List<Entry> subtree = subtree(src);
        List<CuratorOp> ops = new ArrayList<>();
        call(() -> {
            // For each op, the directory whose write right it needs.
            List<String> needsWrite = new ArrayList<>();
            ops.add(client.transactionOp().check().forPath(znode(parent)));
            needsWrite.add(parent);
            for (Entry e : subtree) {
                String moved = to + e.path().substring(src.length());
                // Owner, group and mode move with the entry, and so does the ACL they make.
                ops.add(client.transactionOp()
                        .create()
                        .withACL(acl(e.inode()))
                        .forPath(znode(moved), e.inode().encode()));
                needsWrite.add(StorePaths.parent(moved));
            }
            for (Entry e : subtree.reversed()) {
                ops.add(client.transactionOp().delete().withVersion(e.version()).forPath(znode(e.path())));
                needsWrite.add(StorePaths.parent(e.path()));
            }
            try {
                client.transaction().forOperations(ops);
            } catch (KeeperException.NoAuthException e) {
                throw denied(needsWrite.get(Math.max(0, failedOp(e))), "write");
            } catch (KeeperException.NodeExistsException e) {
                throw new FileAlreadyExistsException(to, null, "the rename target exists");
            } catch (KeeperException.BadVersionException
                    | KeeperException.NotEmptyException
                    | KeeperException.NoNodeException e) {
                throw new IOException(
                        src + " or " + parent + " changed during the rename; nothing was moved; try again", e);
            }
            return null;
        });
        return to;
    }

    /**
     * Tells the replication monitor that a replica failed its checksum, through a znode it watches
     * ({@value #CORRUPT}/block@node); reporting the same replica again is a no-op.
     */
    public void reportCorrupt(BlockId block, String node, String detail) throws IOException {
        call(() -> {
            try {
                client.create()
                        .forPath(
                                CORRUPT + "/" + block + "@" + node,
                                detail.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (KeeperException.NodeExistsException already) {
                // reported before
            }
            return null;
        });
    }

    /** The replicas reported corrupt and not yet dealt with, as (block, node id) pairs. */
    public List<java.util.Map.Entry<BlockId, String>> corruptReports() throws IOException {
        return call(() -> {
            List<java.util.Map.Entry<BlockId, String>> out = new ArrayList<>();
            for (String name : client.getChildren().forPath(CORRUPT)) {
                int at = name.indexOf('@');
                if (at <= 0) continue; // not ours
                try {
                    out.add(java.util.Map.entry(BlockId.parse(name.substring(0, at)), name.substring(at + 1)));
                } catch (IllegalArgumentException notABlock) {
                    // not ours either
                }
            }
            return out;
        });
    }

    /** Removes a corrupt report once it has been dealt with (or no longer applies). */
    public void forgetCorrupt(BlockId block, String node) throws IOException {
        call(() -> {
            try {
                client.delete().forPath(CORRUPT + "/" + block + "@" + node);
            } catch (KeeperException.NoNodeException gone) {
                // forgotten already
            }
            return null;
        });
    }

    /**
     * Changes the list of nodes holding one block of a file, retrying when the file changes
     * concurrently (compare-and-set on its znode version).
     *
     * @return false if the file, or that block in it, no longer exists
     */
    public boolean editBlockNodes(String path, BlockId block, java.util.function.UnaryOperator<List<String>> edit)
            throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            Entry e;
            try {
                e = stat(path);
            } catch (NoSuchFileException gone) {
                return false;
            }
            if (!(e.inode() instanceof Inode.File f)) return false;
            List<Inode.BlockRef> blocks = new ArrayList<>(f.blocks());
            int i = 0;
            while (i < blocks.size() && !blocks.get(i).id().equals(block)) i++;
            if (i == blocks.size()) return false;
            Inode.BlockRef b = blocks.get(i);
            List<String> nodes = List.copyOf(new java.util.LinkedHashSet<>(edit.apply(new ArrayList<>(b.nodes()))));
            if (nodes.equals(b.nodes())) return true;
            blocks.set(i, new Inode.BlockRef(b.id(), b.length(), nodes));
            if (replaceBlocks(e, blocks)) return true;
        }
        throw new IOException("could not update the replicas of " + block + " in " + path + ": the file kept changing");
    }

    /** Replaces a file's block list if the file is unchanged since {@code seen} was read; false if it changed. */
    public boolean replaceBlocks(Entry seen, List<Inode.BlockRef> blocks) throws IOException {
        Inode.File file = (Inode.File) seen.inode();
        return call(() -> {
            try {
                client.setData()
                        .withVersion(seen.version())
                        .forPath(znode(seen.path()), file.withBlocks(blocks).encode());
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                return false;
            }
        });
    }

    /** The entry at {@code path} and everything under it, parents before children. */
    public List<Entry> subtree(String path) throws IOException {
        List<Entry> out = new ArrayList<>();
        collect(stat(path), out);
        return out;
    }

    private void collect(Entry e, List<Entry> out) throws IOException {
        out.add(e);
        if (e.inode() instanceof Inode.Dir) {
            for (Entry c : list(e.path())) collect(c, out);
        }
    }

    private static List<Inode.File> files(List<Entry> entries) {
        return entries.stream()
                .map(Entry::inode)
                .filter(i -> i instanceof Inode.File)
                .map(i -> (Inode.File) i)
                .toList();
    }

    /** The index of the op of a failed {@code multi} that failed, or -1 if coord did not say. */
    private static int failedOp(KeeperException e) {
        List<OpResult> results = e.getResults();
        if (results == null) return -1;
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err
                    && err.getErr() != KeeperException.Code.OK.intValue()
                    && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) return i;
        }
        return -1;
    }

    /**
     * Changes an entry's mode: only its owner or a super user may.
     *
     * <p>Two steps, since a {@code multi} cannot set an ACL: first the ACL, then the inode, both
     * compare-and-set on the versions read. The ACL is what coord enforces, so the entry is at
     * every moment exactly as open as either the old mode or the new one, never more; between the
     * steps only {@code ls} still shows the old mode, and a chmod interrupted there is completed
     * by running it again.
     */
    public void chmod(String path, FsPermission permission) throws IOException {
        changeAccess(path, a -> new Inode.Access(a.owner(), a.group(), permission), "ownership");
    }

    /**
     * Changes an entry's owner and group (null: unchanged): only a super user may.
     *
     * <p>The inode goes first, in a {@code multi} that also creates and deletes a child of
     * {@value #GUARD}, which only a super user may do — coord, not this client, decides who may
     * chown; then the ACL. Between the steps the old owner's ACL is still in force.
     */
    public void chown(String path, String owner, String group) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            Entry e = stat(path);
            Inode.Access a = e.inode().access();
            Inode changed = e.inode()
                    .withAccess(new Inode.Access(
                            owner == null ? a.owner() : owner, group == null ? a.group() : group, a.permission()));
            String probe = GUARD + "/" + probeName("chown-");
            boolean done = call(() -> {
                try {
                    List<CuratorOp> ops = new ArrayList<>();
                    if (caller.secure()) {
                        ops.add(client.transactionOp().create().forPath(probe, new byte[0]));
                        ops.add(client.transactionOp().delete().forPath(probe));
                    }
                    ops.add(client.transactionOp()
                            .setData()
                            .withVersion(e.version())
                            .forPath(znode(path), changed.encode()));
                    client.transaction().forOperations(ops);
                    return true;
                } catch (KeeperException.NoAuthException denied) {
                    throw denied(path, "admin");
                } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException raced) {
                    return false;
                } catch (KeeperException.NoNodeException gone) {
                    throw new NoSuchFileException(path);
                }
            });
            if (done) {
                setAcl(path, changed, "admin");
                return;
            }
        }
        throw new IOException("could not chown " + path + ": it kept changing");
    }

    private void changeAccess(String path, java.util.function.UnaryOperator<Inode.Access> edit, String right)
            throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            Entry e = stat(path);
            Inode changed = e.inode().withAccess(edit.apply(e.inode().access()));
            setAcl(path, changed, right);
            boolean done = call(() -> {
                try {
                    client.setData().withVersion(e.version()).forPath(znode(path), changed.encode());
                    return true;
                } catch (KeeperException.BadVersionException raced) {
                    return false;
                } catch (KeeperException.NoNodeException gone) {
                    throw new NoSuchFileException(path);
                } catch (KeeperException.NoAuthException denied) {
                    throw denied(path, right);
                }
            });
            if (done) return;
        }
        throw new IOException("could not change " + path + ": it kept changing");
    }

    private void setAcl(String path, Inode inode, String right) throws IOException {
        call(() -> {
            try {
                client.setACL().withACL(acl(inode)).forPath(znode(path));
            } catch (KeeperException.NoAuthException denied) {
                throw denied(path, right);
            } catch (KeeperException.NoNodeException gone) {
                throw new NoSuchFileException(path);
            }
            return null;
        });
    }

    @FunctionalInterface
    interface CoordCall<T> {
        T run() throws Exception;
    }

    /** Runs a coord call; coord failures become IOExceptions that say what was being done. */
    static <T> T call(CoordCall<T> body) throws IOException {
        try {
            return body.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while talking to coord");
        } catch (KeeperException e) {
            throw new IOException("coord: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IOException("coord: " + e, e);
        }
    }
}
