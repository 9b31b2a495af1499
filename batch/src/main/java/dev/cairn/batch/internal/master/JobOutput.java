package dev.cairn.batch.internal.master;

import static dev.cairn.common.io.FileTrees.deleteRecursively;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Makes a job's output appear all at once or not at all.
 *
 * <p>Layout: tasks write into {@code <staging>/_attempts/<attempt>/}; the one attempt per task
 * that the master allows to commit moves its file to {@code <staging>/part-r-NNNNN}; when every
 * task has committed the master writes {@code _SUCCESS} and renames the staging directory to the
 * output path in one atomic rename. The staging directory is a hidden sibling of the output, on
 * the same file system, so that rename is atomic. A failed or cancelled job deletes it.
 */
final class JobOutput {
    private JobOutput() {}

    static Path stagingDir(Path output, String jobId) {
        Path parent = output.toAbsolutePath().getParent();
        return parent.resolve("." + output.getFileName() + ".cairn-" + jobId);
    }

    /** @throws IllegalArgumentException when the output already exists or its staging cannot be made */
    static Path prepare(Path output, String jobId) {
        if (Files.exists(output)) throw new IllegalArgumentException("output path already exists: " + output);
        Path staging = stagingDir(output, jobId);
        try {
            Files.createDirectories(staging.getParent());
            deleteRecursively(staging);
            Files.createDirectories(staging.resolve("_attempts"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create output staging directory " + staging + ": " + e.getMessage(), e);
        }
        return staging;
    }

    static void commit(Path staging, Path output) throws IOException {
        deleteRecursively(staging.resolve("_attempts"));
        Files.createFile(staging.resolve("_SUCCESS"));
        if (Files.exists(output)) throw new FileAlreadyExistsException(output.toString(), null, "output appeared while the job ran");
        try {
            Files.move(staging, output, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + staging + " to " + output + " atomically: " + e.getMessage(), e);
        }
    }

    static void abort(Path staging) throws IOException {
        deleteRecursively(staging);
    }
}
