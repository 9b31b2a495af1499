package dev.cairn.dataflow.internal.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checkpoints in a local directory:
 *
 * <pre>
 * root/chk-7/3-0.state     state of subtask 0 of operator 3 (chain head)
 * root/chk-7/3-1.state
 * root/chk-7/_metadata     written last; its presence means checkpoint 7 is complete
 * </pre>
 *
 * Every file is written to a temporary name, fsynced, renamed into place atomically, and the
 * directory fsynced, so a crash leaves either the whole file or none.
 */
public final class LocalDirectoryCheckpointStorage implements CheckpointStorage {
    static final String METADATA = "_metadata";
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

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for fsync; the rename is then as durable as the OS makes it.
            if (!(e instanceof java.nio.file.AccessDeniedException)) throw e;
        }
    }
}
