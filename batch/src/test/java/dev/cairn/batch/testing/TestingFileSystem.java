package dev.cairn.batch.testing;

import dev.cairn.common.fs.BlockSpan;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.common.fs.ReadLocality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A store-like file system in memory, for {@code mem:///} paths: files cut into fixed-size blocks
 * whose hosts a function of the block index decides, reads that stop at block boundaries (as a
 * store stream moves from one replica to the next), visible-on-close writes and atomic renames.
 * {@link #on} gives the same files as seen from one node, whose reads of blocks it hosts count as
 * local. Counts every byte it serves, so tests can check readers ask for no more than they need.
 */
public final class TestingFileSystem implements FileSystem {
    public static final String SCHEME = "mem";

    private final State state;
    private final String localNode;

    private static final class State {
        final int blockSize;
        final IntFunction<List<String>> hosts;
        final Map<String, byte[]> files = new TreeMap<>();
        final TreeSet<String> dirs = new TreeSet<>(List.of("/"));
        final AtomicLong served = new AtomicLong();

        State(int blockSize, IntFunction<List<String>> hosts) {
            this.blockSize = blockSize;
            this.hosts = hosts;
        }
    }

    private TestingFileSystem(State state, String localNode) {
        this.state = state;
        this.localNode = localNode;
    }

    /** @param hosts the nodes holding block {@code i} of every file */
    public static TestingFileSystem create(int blockSize, IntFunction<List<String>> hosts) {
        return new TestingFileSystem(new State(blockSize, hosts), null);
    }

    /** The same files, read from {@code node}. */
    public TestingFileSystem on(String node) {
        return new TestingFileSystem(state, node);
    }

    /** Bytes handed out by every stream of every view so far. */
    public long bytesServed() {
        return state.served.get();
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public String qualify(String path) {
        return SCHEME + "://" + normalize(path);
    }

    private static String normalize(String path) {
        String p = path;
        if (SCHEME.equals(FsPaths.scheme(p))) p = p.substring(SCHEME.length() + 1);
        if (p.startsWith("//")) p = p.substring(2);
        if (!p.startsWith("/")) throw new IllegalArgumentException("not absolute: " + path);
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) if (!s.isEmpty()) parts.add(s);
        return "/" + String.join("/", parts);
    }

    private static String parent(String normalized) {
        int i = normalized.lastIndexOf('/');
        return i <= 0 ? "/" : normalized.substring(0, i);
    }

    private static boolean within(String p, String dir) {
        return p.equals(dir) || dir.equals("/") || p.startsWith(dir + "/");
    }

    @Override
    public List<FileEntry> listFiles(String path) throws IOException {
        String p = normalize(path);
        synchronized (state) {
            if (state.files.containsKey(p)) return List.of(new FileEntry(qualify(p), state.files.get(p).length));
            if (!state.dirs.contains(p)) throw new NoSuchFileException(qualify(p));
            List<FileEntry> out = new ArrayList<>();
            state.files.forEach((f, data) -> {
                if (within(f, p)) out.add(new FileEntry(qualify(f), data.length));
            });
            return out;
        }
    }

    @Override
    public List<BlockSpan> blocks(String file) throws IOException {
        byte[] data = data(file);
        List<BlockSpan> out = new ArrayList<>();
        for (int i = 0; (long) i * state.blockSize < data.length; i++) {
            long off = (long) i * state.blockSize;
            out.add(new BlockSpan(off, Math.min(state.blockSize, data.length - off), state.hosts.apply(i)));
        }
        return out;
    }

    private byte[] data(String file) throws NoSuchFileException {
        String p = normalize(file);
        synchronized (state) {
            byte[] d = state.files.get(p);
            if (d == null) throw new NoSuchFileException(qualify(p));
            return d;
        }
    }

    @Override
    public InputStream open(String file, long offset, long length) throws IOException {
        byte[] data = data(file);
        if (offset < 0 || length < 0 || offset > data.length)
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " of " + file);
        long end = Math.min(data.length, offset + length);
        return new BlockStream(data, offset, end);
    }

    private final class BlockStream extends InputStream implements ReadLocality {
        private final byte[] data;
        private final long end;
        private long pos;
        private long local;
        private long remote;

        BlockStream(byte[] data, long offset, long end) {
            this.data = data;
            this.pos = offset;
            this.end = end;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int block = (int) (pos / state.blockSize);
            long blockEnd = Math.min(end, (long) (block + 1) * state.blockSize);
            int n = (int) Math.min(len, blockEnd - pos);
            System.arraycopy(data, (int) pos, b, off, n);
            pos += n;
            if (localNode != null && state.hosts.apply(block).contains(localNode)) local += n;
            else remote += n;
            state.served.addAndGet(n);
            return n;
        }

        @Override
        public long localBytes() {
            return local;
        }

        @Override
        public long remoteBytes() {
            return remote;
        }
    }

    @Override
    public OutputStream create(String file) throws IOException {
        String p = normalize(file);
        synchronized (state) {
            if (state.files.containsKey(p) || state.dirs.contains(p)) throw new FileAlreadyExistsException(qualify(p));
        }
        return new ByteArrayOutputStream() {
            private boolean closed;

            @Override
            public void close() throws IOException {
                if (closed) return;
                closed = true;
                synchronized (state) {
                    if (state.files.containsKey(p) || state.dirs.contains(p))
                        throw new FileAlreadyExistsException(qualify(p));
                    mkdirsLocked(parent(p));
                    state.files.put(p, toByteArray());
                }
            }
        };
    }

    @Override
    public void mkdirs(String dir) throws IOException {
        synchronized (state) {
            mkdirsLocked(normalize(dir));
        }
    }

    private void mkdirsLocked(String p) throws IOException {
        for (String d = p; !d.equals("/"); d = parent(d)) {
            if (state.files.containsKey(d)) throw new java.nio.file.NotDirectoryException(qualify(d));
        }
        for (String d = p; !d.equals("/"); d = parent(d)) state.dirs.add(d);
    }

    @Override
    public boolean exists(String path) {
        String p = normalize(path);
        synchronized (state) {
            return state.files.containsKey(p) || state.dirs.contains(p);
        }
    }

    @Override
    public void rename(String source, String target) throws IOException {
        String src = normalize(source);
        String dst = normalize(target);
        synchronized (state) {
            if (!exists(src)) throw new NoSuchFileException(qualify(src));
            if (exists(dst)) throw new FileAlreadyExistsException(qualify(dst));
            if (!state.dirs.contains(parent(dst))) throw new NoSuchFileException(qualify(parent(dst)));
            if (within(dst, src)) throw new IllegalArgumentException("cannot move " + src + " into itself");
            for (String f : List.copyOf(state.files.keySet())) {
                if (within(f, src)) state.files.put(dst + f.substring(src.length()), state.files.remove(f));
            }
            for (String d : List.copyOf(state.dirs)) {
                if (within(d, src)) {
                    state.dirs.remove(d);
                    state.dirs.add(dst + d.substring(src.length()));
                }
            }
        }
    }

    @Override
    public void delete(String path) {
        String p = normalize(path);
        synchronized (state) {
            state.files.keySet().removeIf(f -> within(f, p));
            state.dirs.removeIf(d -> within(d, p) && !d.equals("/"));
        }
    }

    /** A file's bytes, for assertions. */
    public byte[] read(String file) throws IOException {
        byte[] d = data(file);
        return Arrays.copyOf(d, d.length);
    }
}
