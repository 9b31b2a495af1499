package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An exactly-once file sink by two-phase commit with the checkpoints. Each subtask writes its
 * records, one {@code toString()} line each, to an in-progress file in the staging directory
 * {@code <dir>/.staging}:
 *
 * <pre>
 * records ─▶ .staging/part-S.inprogress
 *   barrier N (pre-commit): close + fsync, rename to .staging/part-S-N.pending, fsync the dir;
 *                           the snapshot lists every pending file not yet committed
 *   checkpoint N complete (commit): rename every pending file of checkpoint ≤ N to part-S-N
 *   restore from checkpoint C: commit the pending files the snapshot lists (C completed);
 *                              delete the in-progress file and pending files of later checkpoints
 * </pre>
 *
 * The snapshot also says which subtask of which parallelism wrote it. After a change of
 * parallelism (a savepoint resumed at another one) a new subtask may get several old subtasks'
 * snapshots, and an old subtask's snapshot may go to several new subtasks: the pending files of
 * old subtask s are committed by the one new subtask whose key groups hold s's first key group
 * (each new subtask deletes only its own index's in-progress file and pending files of checkpoints
 * after C, so it never touches a file another commits). The resumed job's checkpoints are numbered
 * after C, so its files never take an old file's name.
 *
 * Commit is idempotent: a pending file already renamed is skipped. A reader listing
 * {@code <dir>} (skipping dot-files) sees only committed files: no record before its
 * checkpoint completed, none twice. Records emitted after the final checkpoint (by operators'
 * {@code finish}) are committed when the subtask finishes.
 */
public final class TransactionalFileSink<T> extends StreamOperator<Void>
        implements OneInputOperator<T>, CheckpointedOperator {
    /**
     * Makes the sink of each subtask. The directory must not exist when the program is built
     * ({@link #requireNew}); not checked here, since every run and every node deserializes the
     * factory again, after the first subtask made the directory.
     */
    public record Factory<T>(String directory) implements OperatorFactory {
        /** Refuses a directory that exists: the sink writes a new one. */
        public static void requireNew(Path directory) {
            if (Files.exists(directory)) {
                throw new IllegalArgumentException("output directory " + directory
                        + " already exists: the transactional file sink writes a new directory");
            }
        }

        @Override
        public String kind() {
            return "transactional text files in " + directory;
        }

        @Override
        public StreamOperator<?> create() {
            return new TransactionalFileSink<T>(Path.of(directory));
        }
    }

    static final String STAGING = ".staging";
    private final Path directory;
    private final Path staging;
    private final List<Long> pending = new ArrayList<>();
    /** Per snapshot restored: the checkpoint, the subtask and parallelism that wrote it, its pending files. */
    private final List<Restored> restored = new ArrayList<>();

    private record Restored(long checkpointId, int subtaskIndex, int parallelism, List<Long> pending) {}

    private OutputStream inProgress;
    private long inProgressRecords;
    private final StringBuilder line = new StringBuilder();

    TransactionalFileSink(Path directory) {
        this.directory = directory;
        this.staging = directory.resolve(STAGING);
    }

    private Path inProgressFile() {
        return staging.resolve("part-" + context.subtaskIndex() + ".inprogress");
    }

    private Path pendingFile(long checkpointId) {
        return pendingFile(context.subtaskIndex(), checkpointId);
    }

    private Path pendingFile(int subtask, long checkpointId) {
        return staging.resolve("part-" + subtask + "-" + checkpointId + ".pending");
    }

    private Path committedFile(int subtask, long checkpointId) {
        return directory.resolve("part-" + subtask + "-" + checkpointId);
    }

    @Override
    public void open() throws IOException {
        makeStaging();
        Files.deleteIfExists(inProgressFile());
        long restoredCheckpoint = 0;
        for (Restored r : restored) {
            restoredCheckpoint = Math.max(restoredCheckpoint, r.checkpointId());
            int firstKeyGroup = KeyGroupRange.forSubtask(context.maxParallelism(), r.parallelism(), r.subtaskIndex())
                    .first();
            if (!context.keyGroups().contains(firstKeyGroup)) continue; // another new subtask commits these
            for (long id : r.pending()) commit(r.subtaskIndex(), id);
            if (r.subtaskIndex() >= context.parallelism()) {
                // No new subtask has that index: its owner removes what the old one left in staging.
                Files.deleteIfExists(staging.resolve("part-" + r.subtaskIndex() + ".inprogress"));
                deletePendingAfter(r.subtaskIndex(), r.checkpointId());
            }
        }
        // Pending files of checkpoints after the one restored never completed: their records come again.
        deletePendingAfter(context.subtaskIndex(), restoredCheckpoint);
        restored.clear();
    }

    private void deletePendingAfter(int subtask, long checkpointId) throws IOException {
        String prefix = "part-" + subtask + "-";
        try (Stream<Path> files = Files.list(staging)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || !name.endsWith(".pending")) continue;
                long id;
                try {
                    id = Long.parseLong(name.substring(prefix.length(), name.length() - ".pending".length()));
                } catch (NumberFormatException e) {
                    continue; // not one of this sink's files
                }
                if (id > checkpointId) Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void processElement(T value, long timestamp) throws IOException {
        if (inProgress == null) inProgress = openInProgress();
        line.setLength(0);
        line.append(value).append('\n');
        inProgress.write(line.toString().getBytes(StandardCharsets.UTF_8));
        inProgressRecords++;
    }

    /**
     * Makes the staging directory. A finishing subtask may remove it between Files.createDirectories
     * seeing it exist and checking that it is a directory, which then throws
     * FileAlreadyExistsException: try again.
     */
    private void makeStaging() throws IOException {
        for (int tries = 0; ; tries++) {
            try {
                Files.createDirectories(staging);
                return;
            } catch (FileAlreadyExistsException e) {
                if (tries >= 3) throw e; // a file in its place, not a race
            }
        }
    }

    /**
     * Opens a new in-progress file. Another subtask that finished removes the staging directory
     * when it is empty (so a finished job leaves none), possibly just before this subtask's first
     * record: the directory is made again, and once more if it vanished in between.
     */
    private OutputStream openInProgress() throws IOException {
        for (int tries = 0; ; tries++) {
            makeStaging();
            try {
                return Files.newOutputStream(
                        inProgressFile(),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                if (tries >= 3) throw e;
            }
        }
    }

    @Override
    public void processWatermark(long watermark) {
        currentWatermark = watermark;
    }

    @Override
    public void processIdleness(boolean idle) {}

    /** Pre-commit: the in-progress file becomes checkpoint N's pending file, durably. */
    @Override
    public void snapshotState(long checkpointId, BytesOut out) throws IOException {
        preCommit(checkpointId);
        out.writeLong(checkpointId);
        out.writeInt(context.subtaskIndex());
        out.writeInt(context.parallelism());
        out.writeInt(pending.size());
        for (long id : pending) out.writeLong(id);
    }

    private void preCommit(long checkpointId) throws IOException {
        if (inProgress == null) return;
        inProgress.close();
        inProgress = null;
        try (FileChannel ch = FileChannel.open(inProgressFile(), StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(inProgressFile(), pendingFile(checkpointId), StandardCopyOption.ATOMIC_MOVE);
        fsync(staging);
        pending.add(checkpointId);
        inProgressRecords = 0;
    }

    @Override
    public void restoreState(BytesIn in) {
        long checkpointId = in.readLong();
        int subtask = in.readInt();
        int parallelism = in.readInt();
        int n = in.readInt();
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ids.add(in.readLong());
        restored.add(new Restored(checkpointId, subtask, parallelism, ids));
    }

    /** Commit: every pending file of a checkpoint up to {@code checkpointId} moves into the directory. */
    @Override
    public void checkpointComplete(long checkpointId) throws IOException {
        List<Long> done = new ArrayList<>();
        for (long id : pending) if (id <= checkpointId) done.add(id);
        for (long id : done) commit(id);
        pending.removeAll(done);
    }

    private void commit(long checkpointId) throws IOException {
        commit(context.subtaskIndex(), checkpointId);
    }

    private void commit(int subtask, long checkpointId) throws IOException {
        Path from = pendingFile(subtask, checkpointId);
        Path to = committedFile(subtask, checkpointId);
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            if (Files.exists(to)) return; // committed before a restart
            throw new IOException("pending file " + from + " of completed checkpoint " + checkpointId + " is gone", e);
        }
        fsync(directory);
    }

    @Override
    public void finish() throws IOException {
        if (inProgressRecords > 0) {
            // Emitted after the final checkpoint: nothing can replay it, so it is committed now.
            long id = Long.MAX_VALUE;
            preCommit(id);
            checkpointComplete(id);
        }
        if (inProgress != null) {
            inProgress.close();
            inProgress = null;
            Files.deleteIfExists(inProgressFile());
        }
        try {
            Files.deleteIfExists(staging);
        } catch (DirectoryNotEmptyException e) {
            // another subtask still stages files; the last one removes the directory
        }
    }

    @Override
    public void close() throws IOException {
        if (inProgress != null) inProgress.close();
    }

    /** The subtask's pending checkpoint ids, for tests. */
    public List<Long> pending() {
        return List.copyOf(pending);
    }

    private static void fsync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
