package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checkpoints in a local directory:
 *
 * <pre>
 * root/chk-7/3-0.state     state of subtask 0 of operator 3 (chain head)
 * root/chk-7/3-1.state
 * root/chk-7/_metadata     written last; its presence means checkpoint 7 is complete
 * root/chk-7/f3a9….shared  the shared files one state backend instance's snapshot in checkpoint 7 names
 * root/shared/f3a9…-000012.sst   a shared file (write-once), kept while some chk-N references it
 * </pre>
 *
 * <p>Discarding a checkpoint deletes its directory, then sweeps the shared files no remaining
 * checkpoint (complete or in progress) references. The sweep lists the shared files before it
 * reads the references, and writers record their references before they write a new file, so a
 * file written during a sweep is never taken for an orphan.
 *
 * Every file is written to a temporary name, fsynced, renamed into place atomically, and the
 * directory fsynced, so a crash leaves either the whole file or none.
 */
public final class LocalDirectoryCheckpointStorage implements CheckpointStorage {
    static final String METADATA = "_metadata";
    private static final String SHARED_REFERENCES = ".shared";
    private final Path root;

    public LocalDirectoryCheckpointStorage(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    public Path root() {
        return root;
    }

    private Path dir(long checkpointId) {
        return root.resolve("chk-" + checkpointId);
    }

    @Override
    public void writeState(long checkpointId, String subtask, byte[] state) throws IOException {
        writeAtomically(dir(checkpointId), subtask + ".state", state);
    }

    @Override
    public byte[] readState(long checkpointId, String subtask) throws IOException {
        return readIfExists(dir(checkpointId).resolve(subtask + ".state"));
    }

    @Override
    public void commitMetadata(long checkpointId, byte[] metadata) throws IOException {
        writeAtomically(dir(checkpointId), METADATA, metadata);
    }

    @Override
    public byte[] readMetadata(long checkpointId) throws IOException {
        return readIfExists(dir(checkpointId).resolve(METADATA));
    }

    @Override
    public List<Long> completed() throws IOException {
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.startsWith("chk-") || !Files.exists(d.resolve(METADATA))) continue;
                try {
                    ids.add(Long.parseLong(name.substring(4)));
                } catch (NumberFormatException e) {
                    // not ours
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public void discard(long checkpointId) throws IOException {
        Path d = dir(checkpointId);
        if (!Files.exists(d)) return;
        // The metadata goes first, so a half-deleted checkpoint never looks complete.
        Files.deleteIfExists(d.resolve(METADATA));
        try (Stream<Path> files = Files.walk(d)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        sweepSharedFiles();
    }

    private Path sharedDir() {
        return root.resolve("shared");
    }

    @Override
    public void referenceSharedFiles(long checkpointId, String owner, Collection<String> names) throws IOException {
        checkName(owner);
        StringBuilder text = new StringBuilder();
        for (String name : names) text.append(checkName(name)).append('\n');
        writeAtomically(
                dir(checkpointId), owner + SHARED_REFERENCES, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeSharedFile(String name, Path file) throws IOException {
        Path dir = Files.createDirectories(sharedDir());
        Path tmp = dir.resolve("." + checkName(name) + ".tmp");
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(dir);
    }

    @Override
    public void readSharedFile(String name, Path target) throws IOException {
        Files.copy(sharedDir().resolve(checkName(name)), target);
    }

    /** The names of the shared files stored now, for tests. */
    public Set<String> sharedFiles() throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(sharedDir())) return names;
        try (Stream<Path> files = Files.list(sharedDir())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".")) names.add(name);
            }
        }
        return names;
    }

    /** Deletes the shared files no checkpoint directory references (listed first: see the class doc). */
    private synchronized void sweepSharedFiles() throws IOException {
        Set<String> candidates = sharedFiles();
        if (candidates.isEmpty()) return;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!d.getFileName().toString().startsWith("chk-") || !Files.isDirectory(d)) continue;
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (!f.getFileName().toString().endsWith(SHARED_REFERENCES)) continue;
                        byte[] refs = readIfExists(f);
                        if (refs == null) continue;
                        new String(refs, StandardCharsets.UTF_8).lines().forEach(candidates::remove);
                    }
                } catch (NoSuchFileException e) {
                    // discarded meanwhile
                }
            }
        }
        for (String orphan : candidates) Files.deleteIfExists(sharedDir().resolve(orphan));
    }

    private static String checkName(String name) {
        if (name.isEmpty()
                || name.startsWith(".")
                || name.contains("/")
                || name.contains("\\")
                || name.contains("\n")) {
            throw new IllegalArgumentException("not a valid shared file or owner name: '" + name + "'");
        }
        return name;
    }

    private static byte[] readIfExists(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Temp file, fsync, atomic rename, fsync of the directory. */
    static void writeAtomically(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + name + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        fsyncDirectory(dir);
    }

    /**
     * Makes a file or directory that {@code fs} wrote durable when {@code fs} is the local file
     * system (which writes without fsync); other file systems are durable when a write returns.
     */
    public static void syncIfLocal(FileSystem fs, String path) throws IOException {
        if (!(fs instanceof LocalFileSystem)) return;
        Path p = Path.of(fs.qualify(path));
        if (Files.isDirectory(p)) {
            fsyncDirectory(p);
        } else {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for fsync; the rename is then as durable as the OS makes it.
            if (!(e instanceof java.nio.file.AccessDeniedException)) throw e;
        }
    }
}
