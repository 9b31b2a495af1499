package dev.cairn.common.fs;

import dev.cairn.common.io.FileTrees;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Paths on this node's own disks ({@code /data/in.txt} or {@code file:///data/in.txt}). Every
 * byte read is local; a file is one span without hosts, since any node may see the same path (a
 * shared mount) or its own copy. A new file is written beside its target under a hidden name and
 * renamed into place when closed.
 */
public final class LocalFileSystem implements FileSystem {
    public static final String SCHEME = "file";
    public static final LocalFileSystem INSTANCE = new LocalFileSystem();

    private LocalFileSystem() {}

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public String qualify(String path) {
        return local(path).toString();
    }

    private static Path local(String path) {
        String p = path;
        if (SCHEME.equals(FsPaths.scheme(p))) {
            p = p.substring(SCHEME.length() + 1);
            if (p.startsWith("//")) {
                int slash = p.indexOf('/', 2);
                if (slash != 2)
                    throw new IllegalArgumentException(
                            "local path '" + path + "' names a host; write file:///dir/file");
                p = p.substring(2);
            }
        } else if (FsPaths.scheme(p) != null) {
            throw new IllegalArgumentException("not a local path: " + path);
        }
        return Path.of(p).toAbsolutePath().normalize();
    }

    @Override
    public List<FileEntry> listFiles(String path) throws IOException {
        Path root = local(path);
        if (!Files.exists(root)) throw new NoSuchFileException(root.toString());
        if (Files.isRegularFile(root)) return List.of(new FileEntry(root.toString(), Files.size(root)));
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            List<FileEntry> out = new java.util.ArrayList<>(files.size());
            for (Path f : files) out.add(new FileEntry(f.toString(), Files.size(f)));
            return out;
        }
    }

    @Override
    public List<BlockSpan> blocks(String file) throws IOException {
        long size = Files.size(local(file));
        return size == 0 ? List.of() : List.of(new BlockSpan(0, size, List.of()));
    }

    @Override
    public InputStream open(String file, long offset, long length) throws IOException {
        if (offset < 0 || length < 0)
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        FileChannel channel = FileChannel.open(local(file), StandardOpenOption.READ);
        return new RangeStream(channel, offset, length);
    }

    @Override
    public OutputStream create(String file) throws IOException {
        Path target = local(file);
        if (Files.exists(target)) throw new FileAlreadyExistsException(target.toString());
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FilterOutputStream(out) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) return;
                closed = true;
                try {
                    out.close();
                    // No REPLACE_EXISTING: a target that appeared meanwhile makes this fail.
                    Files.move(tmp, target);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        };
    }

    @Override
    public void mkdirs(String dir) throws IOException {
        Files.createDirectories(local(dir));
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(local(path));
    }

    @Override
    public void rename(String source, String target) throws IOException {
        Path src = local(source);
        Path dst = local(target);
        // rename(2) would replace an empty directory or a file: refuse a taken target first.
        if (Files.exists(dst)) throw new FileAlreadyExistsException(dst.toString());
        try {
            Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + src + " to " + dst + " atomically: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        FileTrees.deleteRecursively(local(path));
    }

    /** A byte range of a file; every byte it returns was read locally. */
    private static final class RangeStream extends InputStream implements ReadLocality {
        private final FileChannel channel;
        private final byte[] one = new byte[1];
        private final long end;
        private long pos;
        private long read;

        RangeStream(FileChannel channel, long offset, long length) {
            this.channel = channel;
            this.pos = offset;
            this.end = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            if (pos >= end) return -1;
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
            if (n < 0) return -1;
            pos += n;
            read += n;
            return n;
        }

        @Override
        public long localBytes() {
            return read;
        }

        @Override
        public long remoteBytes() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
