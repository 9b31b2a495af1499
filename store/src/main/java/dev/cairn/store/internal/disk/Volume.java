package dev.cairn.store.internal.disk;

import dev.cairn.common.io.FileTrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data directory and its layout: {@code current/} holds finalized blocks, {@code tmp/} blocks
 * being written, and {@code in_use.lock} is held while a store has the directory open, so two
 * stores (in one process or two) never share it: the second would delete the first's writes in
 * progress as crash leftovers.
 */
final class Volume implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Volume.class);
    static final String CRC_SUFFIX = ".crc";

    final Path root;
    final Path current;
    final Path tmp;
    /** The file system the directory is on: volumes sharing one share its free space. */
    final FileStore fileStore;

    private final FileChannel lockChannel;

    private Volume(Path root, FileStore fileStore, FileChannel lockChannel) {
        this.root = root;
        this.current = root.resolve("current");
        this.tmp = root.resolve("tmp");
        this.fileStore = fileStore;
        this.lockChannel = lockChannel;
    }

    /** Creates the directory and its layout if needed and locks it. */
    static Volume open(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root))
            throw new IOException("data directory " + root + " is not a directory");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("data directory " + root + " does not exist and cannot be created: " + e, e);
        }
        if (!Files.isWritable(root)) throw new IOException("data directory " + root + " is not writable");
        FileChannel lock;
        try {
            Files.createDirectories(root.resolve("current"));
            Files.createDirectories(root.resolve("tmp"));
            lock = FileChannel.open(root.resolve("in_use.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("data directory " + root + " is not usable: " + e, e);
        }
        try {
            FileLock held = lock.tryLock();
            if (held == null) throw new IOException("data directory " + root + " is in use by another process");
        } catch (OverlappingFileLockException e) {
            lock.close();
            throw new IOException("data directory " + root + " is already open in this process", e);
        } catch (IOException e) {
            lock.close();
            throw e;
        }
        return new Volume(root, Files.getFileStore(root), lock);
    }

    Path dataFile(BlockId id) {
        return current.resolve(id.toString());
    }

    Path crcFile(BlockId id) {
        return current.resolve(id + CRC_SUFFIX);
    }

    Path tmpDataFile(BlockId id) {
        return tmp.resolve(id.toString());
    }

    Path tmpCrcFile(BlockId id) {
        return tmp.resolve(id + CRC_SUFFIX);
    }

    /**
     * Brings the directory back to a state where every data file in {@code current/} is a finalized
     * block: deletes everything in {@code tmp/} (writes a crash interrupted), sidecars without a
     * data file (a crash between finish's two renames, or during a delete), and data files whose
     * sidecar is missing or incomplete (damage: finish never produces them). Other files are left
     * alone.
     *
     * @return the finalized blocks and their lengths
     */
    Map<BlockId, Long> recover() throws IOException {
        int leftovers = 0;
        for (Path p : list(tmp)) {
            FileTrees.deleteRecursively(p);
            leftovers++;
        }
        if (leftovers > 0) LOG.info("{}: deleted {} files of unfinished writes in {}", root, leftovers, tmp);

        Map<BlockId, Long> blocks = new HashMap<>();
        for (Path p : list(current)) {
            String name = p.getFileName().toString();
            String stem = name.endsWith(CRC_SUFFIX) ? name.substring(0, name.length() - CRC_SUFFIX.length()) : null;
            if (stem != null && BlockId.isBlockName(stem)) {
                if (!Files.exists(dataFile(BlockId.parse(stem)))) {
                    LOG.info("{}: deleting sidecar {} without data file", root, p);
                    Files.deleteIfExists(p);
                }
            } else if (BlockId.isBlockName(name)) {
                BlockId id = BlockId.parse(name);
                long length = Files.size(p);
                Path crc = crcFile(id);
                String problem =
                        Files.exists(crc) ? ChecksumFile.problem(crc, length) : "sidecar " + crc + " is missing";
                if (problem == null) {
                    blocks.put(id, length);
                } else {
                    LOG.warn("{}: deleting {} ({} bytes): {}", root, id, length, problem);
                    Files.deleteIfExists(p);
                    Files.deleteIfExists(crc);
                }
            } else {
                LOG.warn("{}: ignoring unexpected file {}", root, p);
            }
        }
        syncDir(current);
        return blocks;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Makes the directory's entries (created, renamed, deleted files) durable. */
    static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        lockChannel.close(); // releases the lock
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
