package dev.cairn.store;

import dev.cairn.common.fs.BlockSpan;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsUser;
import dev.cairn.store.internal.namespace.StorePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * The store as a {@link FileSystem} for {@code cairn:///dir/file} paths, so jobs read their input
 * from it and commit their output into it. Blocks are spans whose hosts are the store nodes
 * holding a replica; read streams count the bytes served by this node's own replicas
 * ({@link dev.cairn.common.fs.ReadLocality}); files are written with {@code writeOptions}.
 *
 * <p>The client is made on first use, not here: a node starts before coord has a quorum, and
 * only a job that names a {@code cairn://} path needs the store.
 */
public final class StoreFileSystem implements FileSystem {
    public static final String SCHEME = "cairn";

    /** Makes the client; called again after a failure. */
    @FunctionalInterface
    public interface Connector {
        StoreClient connect() throws IOException;
    }

    private final Connector connector;
    private final WriteOptions writeOptions;
    private StoreClient client;

    public StoreFileSystem(Connector connector, WriteOptions writeOptions) {
        this.connector = connector;
        this.writeOptions = writeOptions;
    }

    private synchronized StoreClient client() throws IOException {
        if (client == null) client = connector.connect();
        return client;
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public String qualify(String path) {
        return SCHEME + "://" + StorePaths.normalize(path);
    }

    @Override
    public List<FileEntry> listFiles(String path) throws IOException {
        List<FileEntry> out = new ArrayList<>();
        for (FileStatus f : client().listFiles(path)) out.add(new FileEntry(qualify(f.path()), f.length()));
        out.sort(java.util.Comparator.comparing(FileEntry::path));
        return out;
    }

    @Override
    public List<BlockSpan> blocks(String file) throws IOException {
        FileStatus st = client().stat(file);
        if (st.directory()) throw new java.io.FileNotFoundException(qualify(file) + " is a directory");
        List<BlockSpan> out = new ArrayList<>();
        for (BlockLocation b : st.blocks()) out.add(new BlockSpan(b.offset(), b.length(), b.nodes()));
        return out;
    }

    @Override
    public InputStream open(String file, long offset, long length) throws IOException {
        if (offset < 0 || length < 0)
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        return client().open(file, offset, length);
    }

    @Override
    public OutputStream create(String file) throws IOException {
        return client().create(file, writeOptions);
    }

    @Override
    public void mkdirs(String dir) throws IOException {
        client().mkdirs(dir);
    }

    @Override
    public boolean exists(String path) throws IOException {
        return client().exists(path);
    }

    @Override
    public void rename(String source, String target) throws IOException {
        client().renameTo(source, target);
    }

    @Override
    public void checkRead(String path, FsUser user) throws IOException {
        for (FileStatus st : client().subtree(path)) require(st, user, FsPermission.Right.READ);
    }

    @Override
    public void checkCreate(String path, FsUser user) throws IOException {
        String p = StorePaths.normalize(path);
        while (true) {
            try {
                FileStatus st = client().stat(p);
                if (!st.directory())
                    throw new java.nio.file.NotDirectoryException(qualify(p) + " is a file, not a directory");
                require(st, user, FsPermission.Right.WRITE);
                return;
            } catch (NoSuchFileException e) {
                if (p.equals("/")) throw e;
                p = StorePaths.parent(p);
            }
        }
    }

    /**
     * Whether {@code st}'s owner, group and mode grant {@code user} the right: the union of the
     * classes that match, as coord enforces them ({@link FsPermission}).
     */
    private void require(FileStatus st, FsUser user, FsPermission.Right right) {
        FsPermission mode = st.permission();
        boolean allowed = mode.allows(FsPermission.Who.OTHER, right)
                || (user.name().equals(st.owner()) && mode.allows(FsPermission.Who.OWNER, right))
                || (user.groups().contains(st.group()) && mode.allows(FsPermission.Who.GROUP, right));
        if (!allowed)
            throw new dev.cairn.common.security.PermissionDeniedException(
                    "permission denied: " + user.name() + " needs " + right + " on " + qualify(st.path()));
    }

    @Override
    public void giveTo(String path, String owner) throws IOException {
        for (FileStatus st : client().subtree(path))
            if (!owner.equals(st.owner())) client().chown(st.path(), owner, null);
    }

    @Override
    public void delete(String path) throws IOException {
        try {
            client().delete(path, true);
        } catch (NoSuchFileException e) {
            // nothing to delete
        }
    }
}
