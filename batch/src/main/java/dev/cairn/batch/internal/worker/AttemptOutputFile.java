package dev.cairn.batch.internal.worker;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.FsPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task attempt's file of the job's output: written in a directory of the attempt's own under
 * the job's staging directory, and moved into the staging directory itself only once the master
 * lets this attempt commit, so that the job's output holds exactly one attempt's file per task.
 * The output's file system may be the store: the file then appears when closed, and the move is
 * a store rename.
 */
final class AttemptOutputFile {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptOutputFile.class);

    /** Asks the master whether this attempt may move its output into place: null if so, else why not. */
    interface CommitGate {
        String deniedReason(RunningTask task) throws Exception;
    }

    private final FileSystem fs;
    private final String staging;
    private final String attemptDir;
    private final String attemptFile;
    private final String fileName;

    private AttemptOutputFile(FileSystem fs, String staging, String attemptDir, String fileName) {
        this.fs = fs;
        this.staging = staging;
        this.attemptDir = attemptDir;
        this.fileName = fileName;
        this.attemptFile = FsPaths.child(attemptDir, fileName);
    }

    /**
     * Makes the attempt's directory for {@code fileName}.
     *
     * @throws IllegalStateException if the job's staging directory is gone (the job has ended)
     */
    static AttemptOutputFile start(FileSystemRegistry fileSystems, String staging, String attemptId, String fileName)
            throws IOException {
        FileSystem fs = fileSystems.forPath(staging);
        String attempts = FsPaths.child(staging, "_attempts");
        // If the job ended and its staging is gone, fail instead of bringing the directory back.
        if (!fs.exists(attempts))
            throw new IllegalStateException("the output staging directory " + staging + " is gone: the job has ended");
        String attemptDir = FsPaths.child(attempts, attemptId);
        fs.mkdirs(attemptDir);
        return new AttemptOutputFile(fs, staging, attemptDir, fileName);
    }

    /** Starts the file; it appears, complete, when the stream is closed. */
    OutputStream create() throws IOException {
        return fs.create(attemptFile);
    }

    /**
     * Moves the closed file into the staging directory, if the master allows this attempt.
     *
     * @throws IllegalStateException if the master refuses
     */
    void commit(RunningTask task, CommitGate gate) throws Exception {
        String denied = gate.deniedReason(task);
        if (denied != null) throw new IllegalStateException("commit of " + task.attemptId() + " refused: " + denied);
        String part = FsPaths.child(staging, fileName);
        try {
            fs.rename(attemptFile, part);
        } catch (FileAlreadyExistsException e) {
            // Another attempt of this task was allowed to commit before (and then was lost, or
            // froze and was replaced) and moved its complete output into place: that file is
            // the task's output. It is never deleted here, since a late attempt deleting it
            // could leave the job without the part if the job committed meanwhile.
            LOG.info("{}: {} is in place already (another attempt's); keeping it", task.attemptId(), part);
        }
    }

    /** Deletes what the attempt wrote, adding a failure to do so to {@code cause}. */
    void abort(Throwable cause) {
        try {
            fs.delete(attemptDir);
        } catch (IOException | RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }
}
