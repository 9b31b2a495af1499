package dev.cairn.dataflow.internal.operators;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.internal.graph.OperatorFactory;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An exactly-once file sink by two-phase commit with the checkpoints, on any {@link FileSystem}
 * (the subtask's {@link OperatorContext#fileSystems} picks it by the directory's scheme, so
 * {@code cairn:///out} writes into the store). Each subtask writes its records, one
 * {@code toString()} line each, to a new file under a hidden staging name in {@code <dir>}:
 *
 * <pre>
 * records ─▶ .part-S.&lt;unique&gt;.inprogress   (being written: invisible until closed)
 *   barrier N (pre-commit): close it, rename it to .part-S-N.pending;
 *                           the snapshot lists every pending file not yet committed
 *   checkpoint N complete (commit): rename every pending file of checkpoint ≤ N to part-S-N
 *   restore from checkpoint C: commit the pending files the snapshot lists (C completed);
 *                              delete S's in-progress files and pending files of later checkpoints
 * </pre>
 *
 * Staging files sit beside the committed ones, under dot-names, rather than in a staging
 * directory: no subtask ever has to remove a directory another one may be writing into, which a
 * {@link FileSystem} (whose delete is recursive) could not do safely.
 *
 * <p>The snapshot also says which subtask of which parallelism wrote it. After a change of
 * parallelism (a savepoint resumed at another one) a new subtask may get several old subtasks'
 * snapshots, and an old subtask's snapshot may go to several new subtasks: the pending files of
 * old subtask s are committed by the one new subtask whose key groups hold s's first key group
 * (each new subtask deletes only its own index's staging files of checkpoints after C, so it
 * never touches a file another commits). The resumed job's checkpoints are numbered after C, so
 * its files never take an old file's name.
 *
 * <p>Commit is idempotent: renames never replace, so a commit replayed after a restore finds
 * either its pending file (and renames it) or the committed file (the rename happened before; a
 * pending file left beside it by an aborted attempt is deleted). A reader listing {@code <dir>}
 * and skipping dot-files sees only committed files: no record before its checkpoint completed,
 * none twice. Records emitted after the final checkpoint (by operators' {@code finish}) are
 * committed when the subtask finishes.
 */
public final class TransactionalFileSink<T> extends StreamOperator<Void>
        implements OneInputOperator<T>, CheckpointedOperator {
    /**
     * Makes the sink of each subtask. The directory must not exist when the job starts
     * ({@link #newOutputDirectories}); not checked here, since every run and every node
     * deserializes the factory again, after the first subtask made the directory.
     */
    public record Factory<T>(String directory) implements OperatorFactory {
        @Override
        public String kind() {
            return "transactional text files in " + directory;
        }

        @Override
        public StreamOperator<?> create() {
            return new TransactionalFileSink<T>(directory);
        }

        @Override
        public List<String> newOutputDirectories() {
            return List.of(directory);
        }
    }

    private static final String IN_PROGRESS = ".inprogress";
    private static final String PENDING = ".pending";
    private final String directoryPath;
    private FileSystem fs;
    private String directory;
    private final List<Long> pending = new ArrayList<>();
    /** Per snapshot restored: the checkpoint, the subtask and parallelism that wrote it, its pending files. */
    private final List<Restored> restored = new ArrayList<>();

    private record Restored(long checkpointId, int subtaskIndex, int parallelism, List<Long> pending) {}

    private OutputStream inProgress;
    private String inProgressFile;
    private long inProgressRecords;
    private final StringBuilder line = new StringBuilder();

    TransactionalFileSink(String directory) {
        this.directoryPath = directory;
    }

    private String pendingFile(int subtask, long checkpointId) {
        return FsPaths.child(directory, ".part-" + subtask + "-" + checkpointId + PENDING);
    }

    private String committedFile(int subtask, long checkpointId) {
        return FsPaths.child(directory, "part-" + subtask + "-" + checkpointId);
    }

    @Override
    public void open() throws IOException {
        fs = context.fileSystems().forPath(directoryPath);
        directory = fs.qualify(directoryPath);
        fs.mkdirs(directory, context.owner());
        long restoredCheckpoint = 0;
        List<Integer> leftBehind = new ArrayList<>(List.of(context.subtaskIndex()));
        List<Long> leftAfter = new ArrayList<>();
        for (Restored r : restored) {
            restoredCheckpoint = Math.max(restoredCheckpoint, r.checkpointId());
            int firstKeyGroup = KeyGroupRange.forSubtask(context.maxParallelism(), r.parallelism(), r.subtaskIndex())
                    .first();
            if (!context.keyGroups().contains(firstKeyGroup)) continue; // another new subtask commits these
            for (long id : r.pending()) commit(r.subtaskIndex(), id);
            if (r.subtaskIndex() >= context.parallelism()) {
                // No new subtask has that index: its owner removes what the old one left staged.
                leftBehind.add(r.subtaskIndex());
                leftAfter.add(r.checkpointId());
            }
        }
        // In-progress files and pending files of checkpoints after the one restored never
        // completed: their records come again.
        leftAfter.add(0, restoredCheckpoint);
        deleteStaged(leftBehind, leftAfter);
        restored.clear();
    }

    /** Deletes the in-progress files of {@code subtasks[i]} and its pending files after {@code after[i]}. */
    private void deleteStaged(List<Integer> subtasks, List<Long> after) throws IOException {
        for (FileEntry f : fs.listFiles(directory)) {
            String name = FsPaths.name(f.path());
            if (!FsPaths.parent(f.path()).equals(directory)) continue; // not beside the part files
            for (int i = 0; i < subtasks.size(); i++) {
                String prefix = ".part-" + subtasks.get(i);
                if (name.startsWith(prefix + ".") && name.endsWith(IN_PROGRESS)) {
                    fs.delete(f.path());
                } else if (name.startsWith(prefix + "-") && name.endsWith(PENDING)) {
                    long id;
                    try {
                        id = Long.parseLong(name.substring(prefix.length() + 1, name.length() - PENDING.length()));
                    } catch (NumberFormatException e) {
                        continue; // not one of this sink's files
                    }
                    if (id > after.get(i)) fs.delete(f.path());
                }
            }
        }
    }

    @Override
    public void processElement(T value, long timestamp) throws IOException {
        if (inProgress == null) {
            // Unique: a file of an earlier attempt that is not deleted yet never blocks the name.
            inProgressFile =
                    FsPaths.child(directory, ".part-" + context.subtaskIndex() + "." + UUID.randomUUID() + IN_PROGRESS);
            inProgress = fs.create(inProgressFile);
        }
        line.setLength(0);
        line.append(value).append('\n');
        inProgress.write(line.toString().getBytes(StandardCharsets.UTF_8));
        inProgressRecords++;
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
        inProgress.close(); // the file is complete, under its in-progress name
        inProgress = null;
        String staged = pendingFile(context.subtaskIndex(), checkpointId);
        fs.rename(inProgressFile, staged);
        // Written as the node, committed as the job's owner's: handed over before it can commit.
        if (context.owner() != null) fs.giveTo(staged, context.owner());
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
        String from = pendingFile(subtask, checkpointId);
        String to = committedFile(subtask, checkpointId);
        try {
            fs.rename(from, to);
        } catch (FileAlreadyExistsException e) {
            // Committed before a restart; what is still staged under the name is an aborted attempt's.
            fs.delete(from);
        } catch (NoSuchFileException e) {
            if (fs.exists(to)) return; // committed before a restart
            throw new IOException("pending file " + from + " of completed checkpoint " + checkpointId + " is gone", e);
        }
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
            fs.delete(inProgressFile);
        }
    }

    /** Cancelled or failed: what is in progress is dropped (a restore would delete it anyway). */
    @Override
    public void close() throws IOException {
        if (inProgress == null) return;
        OutputStream out = inProgress;
        inProgress = null;
        try {
            out.close();
        } finally {
            fs.delete(inProgressFile);
        }
    }

    /** The subtask's pending checkpoint ids, for tests. */
    public List<Long> pending() {
        return List.copyOf(pending);
    }
}
