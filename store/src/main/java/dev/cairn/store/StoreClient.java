package dev.cairn.store;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.client.BlockPlacement;
import dev.cairn.store.internal.client.StoreContext;
import dev.cairn.store.internal.client.StoreInputStream;
import dev.cairn.store.internal.client.StoreOutputStream;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.Namespace;
import dev.cairn.store.internal.namespace.NodeRegistry;
import dev.cairn.store.internal.namespace.StorePaths;
import dev.cairn.store.internal.repair.BlockHealth;
import dev.cairn.store.internal.repair.ClusterView;
import dev.cairn.store.internal.repair.ClusterViewReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * A client of Cairn's store: files and directories under absolute paths ({@code /data/in.txt} or
 * {@code cairn:///data/in.txt}), stored as replicated, checksummed blocks on the store nodes, with
 * the namespace in coord.
 *
 * <p>Semantics: a file is written once, by one writer, and appears (with all its bytes) only when
 * its stream is closed; a writer that dies leaves nothing visible. {@link #rename} and recursive
 * {@link #delete} are atomic. Reads verify every chunk's checksum and fall back to other replicas.
 * Errors are {@link IOException}s: {@link NoSuchFileException} for a missing path,
 * {@link java.nio.file.FileAlreadyExistsException}, {@link java.nio.file.DirectoryNotEmptyException},
 * {@link java.nio.file.NotDirectoryException}, {@link PermissionDeniedException} when the user lacks
 * a right (in a secure cluster; nothing is changed then); {@link IllegalArgumentException} for a
 * malformed path.
 *
 * <p>Entries belong to the client's user: the CN of its certificate in a secure cluster, the JVM's
 * {@code user.name} otherwise (recorded, not enforced). A new entry's group is its parent
 * directory's, its mode 777 (directories) or 666 (files) less the client's umask.
 *
 * <p>Thread-safe; each stream is for one thread.
 */
public final class StoreClient implements AutoCloseable {
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private final StoreContext context;
    private final boolean ownsCoord;

    private StoreClient(StoreContext context, boolean ownsCoord) {
        this.context = context;
        this.ownsCoord = ownsCoord;
    }

    /**
     * Connects to the store of the cluster whose coord is at {@code coordConnect}.
     *
     * @param localNodeId the store node this client runs on, whose replicas it prefers; null if none
     */
    public static StoreClient connect(String coordConnect, String localNodeId, Duration timeout) throws IOException {
        return connect(coordConnect, localNodeId, timeout, TransportSecurity.plain());
    }

    /**
     * Connects to the store of the cluster whose coord is at {@code coordConnect}, reaching its
     * store nodes' data ports with {@code security} (mutual TLS in a secure cluster).
     *
     * @param localNodeId the store node this client runs on, whose replicas it prefers; null if none
     */
    public static StoreClient connect(
            String coordConnect, String localNodeId, Duration timeout, TransportSecurity security) throws IOException {
        return connect(coordConnect, localNodeId, timeout, security, Map.of());
    }

    /**
     * Connects as {@link #connect(String, String, Duration, TransportSecurity)} does, with
     * {@code coordClientProperties} for the coord connection (ZooKeeper's client properties: none
     * for plain text, its TLS settings for a secure cluster).
     */
    public static StoreClient connect(
            String coordConnect,
            String localNodeId,
            Duration timeout,
            TransportSecurity security,
            Map<String, String> coordClientProperties)
            throws IOException {
        return connect(
                coordConnect,
                localNodeId,
                timeout,
                security,
                coordClientProperties,
                FsPermission.parse(StoreConfig.UMASK.defaultValue()));
    }

    /**
     * Connects as {@link #connect(String, String, Duration, TransportSecurity, Map)} does, creating
     * entries with the mode bits of {@code umask} cleared ({@link StoreConfig#UMASK}).
     */
    public static StoreClient connect(
            String coordConnect,
            String localNodeId,
            Duration timeout,
            TransportSecurity security,
            Map<String, String> coordClientProperties,
            FsPermission umask)
            throws IOException {
        CuratorFramework coord = CuratorFrameworkFactory.builder()
                .zkClientConfig(clientConfig(coordClientProperties))
                .connectString(coordConnect)
                // A writer that dies keeps its blocks from garbage collection for this long.
                .sessionTimeoutMs(SESSION_TIMEOUT_MS)
                .connectionTimeoutMs((int) Math.min(SESSION_TIMEOUT_MS, timeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .build();
        coord.start();
        try {
            if (!coord.blockUntilConnected((int) timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IOException(
                        "cannot reach coord at " + coordConnect + " within " + timeout.toMillis() + " ms");
            }
            StoreClient c = new StoreClient(context(coord, localNodeId, timeout, security, umask), true);
            c.context.namespace().ensureRoot();
            return c;
        } catch (InterruptedException e) {
            coord.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to coord");
        } catch (IOException | RuntimeException e) {
            coord.close();
            throw e;
        }
    }

    /**
     * A store node's coord client, not yet started. Only a lost session counts as a failure: a
     * dropped connection that Curator re-establishes within the session (a coord member was
     * killed) must not end the node's registration or its monitor leadership.
     */
    static CuratorFramework newNodeCoordClient(
            String coordConnect, Duration sessionTimeout, Map<String, String> coordClientProperties) {
        return CuratorFrameworkFactory.builder()
                .zkClientConfig(clientConfig(coordClientProperties))
                .connectString(coordConnect)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) Math.min(15_000, sessionTimeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .build();
    }

    /**
     * A ZooKeeper client configuration of its own with {@code properties} on top of the defaults:
     * a client's TLS settings never go through System properties, which every client in the JVM shares.
     */
    private static ZKClientConfig clientConfig(Map<String, String> properties) {
        ZKClientConfig config = new ZKClientConfig();
        properties.forEach(config::setProperty);
        return config;
    }

    /** A client over an existing coord connection (which stays the caller's to close). */
    static StoreClient using(CuratorFramework coord, String localNodeId, Duration timeout) throws IOException {
        return using(coord, localNodeId, timeout, TransportSecurity.plain());
    }

    /** A client over an existing coord connection, reaching the data ports with {@code security}. */
    static StoreClient using(CuratorFramework coord, String localNodeId, Duration timeout, TransportSecurity security)
            throws IOException {
        return using(coord, localNodeId, timeout, security, FsPermission.parse(StoreConfig.UMASK.defaultValue()));
    }

    /** A client over an existing coord connection, creating entries with {@code umask}'s bits cleared. */
    static StoreClient using(
            CuratorFramework coord,
            String localNodeId,
            Duration timeout,
            TransportSecurity security,
            FsPermission umask)
            throws IOException {
        StoreClient c = new StoreClient(context(coord, localNodeId, timeout, security, umask), false);
        c.context.namespace().ensureRoot();
        return c;
    }

    private static StoreContext context(
            CuratorFramework coord,
            String localNodeId,
            Duration timeout,
            TransportSecurity security,
            FsPermission umask) {
        Random random = new SecureRandom();
        return new StoreContext(
                coord,
                new Namespace(
                        coord,
                        System::currentTimeMillis,
                        new Namespace.Caller(user(security), security.enabled(), umask)),
                new NodeRegistry(coord),
                new BlockPlacement(random),
                random,
                localNodeId,
                timeout,
                System::currentTimeMillis,
                security);
    }

    /** The user this client acts as: its certificate's CN with TLS, else the JVM's user name. */
    private static String user(TransportSecurity security) {
        return security.tls()
                .map(m -> m.principal().name())
                .orElseGet(() -> System.getProperty("user.name", Inode.LEGACY_OWNER));
    }

    /** The user this client acts as and owns what it creates. */
    public String user() {
        return context.namespace().caller().user();
    }

    /** Changes the mode of an entry: only its owner or a super user (a node, an admin) may. */
    public void chmod(String path, FsPermission permission) throws IOException {
        context.namespace().chmod(StorePaths.normalize(path), permission);
    }

    /**
     * Changes the owner and/or group of an entry (null: keep): only a super user may.
     *
     * @throws IllegalArgumentException if a name is not a valid user or group name
     */
    public void chown(String path, String owner, String group) throws IOException {
        for (String name : java.util.Arrays.asList(owner, group)) {
            if (name != null
                    && !dev.cairn.common.security.CertificateAuthority.NAME
                            .matcher(name)
                            .matches())
                throw new IllegalArgumentException("'" + name + "' is not a valid user or group name");
        }
        context.namespace().chown(StorePaths.normalize(path), owner, group);
    }

    /** Starts writing a file; it becomes visible when the stream is closed. */
    public OutputStream create(String path, WriteOptions options) throws IOException {
        String p = StorePaths.normalize(path);
        if (p.equals("/")) throw new IllegalArgumentException("cannot write a file at the root directory");
        return new StoreOutputStream(context, p, options);
    }

    /** Opens a file for reading from its start. */
    public InputStream open(String path) throws IOException {
        return open(path, 0, -1);
    }

    /** Opens {@code length} bytes of a file from {@code offset} ({@code length} -1: to the end). */
    public InputStream open(String path, long offset, long length) throws IOException {
        String p = StorePaths.normalize(path);
        Namespace.Entry e = context.namespace().stat(p);
        if (!(e.inode() instanceof Inode.File f)) throw new java.io.FileNotFoundException(p + " is a directory");
        return new StoreInputStream(context, p, f, offset, length);
    }

    public FileStatus stat(String path) throws IOException {
        return status(context.namespace().stat(StorePaths.normalize(path)));
    }

    public boolean exists(String path) throws IOException {
        try {
            stat(path);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** A directory's entries sorted by name, or a file's own status. */
    public List<FileStatus> list(String path) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (Namespace.Entry e : context.namespace().list(StorePaths.normalize(path))) out.add(status(e));
        return out;
    }

    /** Every file under a path (itself, if it is a file), depth first. */
    public List<FileStatus> listFiles(String path) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (Namespace.Entry e : context.namespace().subtree(StorePaths.normalize(path))) {
            if (e.inode() instanceof Inode.File) out.add(status(e));
        }
        return out;
    }

    /** A path and, for a directory, every entry under it (directories too), depth first. */
    List<FileStatus> subtree(String path) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        for (Namespace.Entry e : context.namespace().subtree(StorePaths.normalize(path))) out.add(status(e));
        return out;
    }

    public void mkdirs(String path) throws IOException {
        context.namespace().mkdirs(StorePaths.normalize(path));
    }

    /** Deletes a file, or a directory (with its contents when {@code recursive}); the space is freed in the background. */
    public void delete(String path, boolean recursive) throws IOException {
        List<Inode.File> files = context.namespace().delete(StorePaths.normalize(path), recursive);
        List<Inode.BlockRef> blocks = new ArrayList<>();
        for (Inode.File f : files) blocks.addAll(f.blocks());
        context.deleteBlocksQuietly(blocks);
    }

    /** Renames atomically; into {@code dst} if it is a directory. Returns the new path. */
    public String rename(String src, String dst) throws IOException {
        return context.namespace().rename(StorePaths.normalize(src), StorePaths.normalize(dst));
    }

    /**
     * Checks the files under {@code path} against the block reports of the live store nodes: which
     * blocks are missing, have corrupt replicas, or are under-replicated. Asks every live node for its
     * block report, so it costs a pass over the namespace and one request per node.
     */
    public FsckReport fsck(String path) throws IOException {
        String p = StorePaths.normalize(path);
        ClusterView view = new ClusterViewReader(
                        context.namespace(), context.registry(), context.timeout(), context.security())
                .read(p);
        // fsck has no memory of how long a node has been gone: any node that is not live counts as gone.
        List<BlockHealth> health = BlockHealth.assess(view, node -> true);
        long bytes = 0;
        for (Namespace.Entry e : view.files()) bytes += ((Inode.File) e.inode()).length();
        long under = 0;
        long lacking = 0;
        long corrupt = 0;
        long missing = 0;
        List<FsckReport.Problem> problems = new ArrayList<>();
        for (BlockHealth h : health) {
            String where = "intact on " + h.healthy() + (h.corrupt().isEmpty() ? "" : ", corrupt on " + h.corrupt())
                    + (h.dead().isEmpty() ? "" : ", on nodes not live " + h.dead())
                    + (h.unreported().isEmpty() ? "" : ", unanswered report from " + h.unreported());
            FsckReport.Kind kind = null;
            corrupt += h.corrupt().size();
            if (h.missing()) {
                missing++;
                kind = FsckReport.Kind.MISSING;
            } else if (!h.corrupt().isEmpty()) {
                kind = FsckReport.Kind.CORRUPT_REPLICA;
            }
            if (h.underReplicated()) {
                under++;
                if (kind == null) kind = FsckReport.Kind.UNDER_REPLICATED;
            } else if (h.belowReplicationForLackOfNodes()) {
                lacking++;
                if (kind == null) kind = FsckReport.Kind.BELOW_REPLICATION_FOR_LACK_OF_NODES;
            }
            if (kind != null && problems.size() < FsckReport.MAX_PROBLEMS) {
                problems.add(new FsckReport.Problem(
                        h.path(),
                        h.block().id().toString(),
                        kind,
                        "block " + h.index() + ", replication " + h.replication() + ": " + where));
            }
        }
        return new FsckReport(
                p,
                view.files().size(),
                health.size(),
                bytes,
                view.live().size(),
                under,
                lacking,
                corrupt,
                missing,
                problems);
    }

    /**
     * Renames atomically to exactly {@code target}, never into it.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
     */
    public void renameTo(String src, String target) throws IOException {
        context.namespace().renameTo(StorePaths.normalize(src), StorePaths.normalize(target));
    }

    /** The live store nodes as id → data address, free and used bytes. */
    public List<StoreNodeStatus> nodes() throws IOException {
        return context.registry().live().stream()
                .map(n -> new StoreNodeStatus(n.id(), n.dataAddress(), n.freeBytes(), n.usedBytes(), n.blocks()))
                .toList();
    }

    private static FileStatus status(Namespace.Entry e) {
        return switch (e.inode()) {
            case Inode.Dir d ->
                new FileStatus(
                        e.path(),
                        true,
                        0,
                        0,
                        0,
                        d.mtimeMs(),
                        List.of(),
                        d.access().owner(),
                        d.access().group(),
                        d.access().permission());
            case Inode.File f -> {
                List<BlockLocation> locations = new ArrayList<>();
                long offset = 0;
                for (Inode.BlockRef b : f.blocks()) {
                    locations.add(new BlockLocation(b.id().toString(), offset, b.length(), b.nodes()));
                    offset += b.length();
                }
                yield new FileStatus(
                        e.path(),
                        false,
                        f.length(),
                        f.replication(),
                        f.blockSize(),
                        f.mtimeMs(),
                        locations,
                        f.access().owner(),
                        f.access().group(),
                        f.access().permission());
            }
        };
    }

    @Override
    public void close() {
        if (ownsCoord) context.coord().close();
    }
}
