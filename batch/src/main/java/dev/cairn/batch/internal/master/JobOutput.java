package dev.cairn.batch.internal.master;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsPaths;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;

/**
 * Makes a job's output appear all at once or not at all, on any {@link FileSystem}.
 *
 * <p>Layout: tasks write into {@code <staging>/_attempts/<attempt>/}; the one attempt per task
 * that the master allows to commit moves its file to {@code <staging>/part-r-NNNNN}; when every
 * task has committed the master writes {@code _SUCCESS} and renames the staging directory to the
 * output path in one atomic rename ({@link FileSystem#rename}: a local rename(2), or one coord
 * transaction in the store). The staging directory is a hidden sibling of the output, on the same
 * file system. A failed or cancelled job deletes it.
 *
 * @param output the output directory, qualified
 */
record JobOutput(FileSystem fs, String output, String staging) {
    static final String ATTEMPTS = "_attempts";
    static final String SUCCESS = "_SUCCESS";

    static String stagingDir(String output, String jobId) {
        return FsPaths.child(FsPaths.parent(output), "." + FsPaths.name(output) + ".cairn-" + jobId);
    }

    /**
     * Checks that {@code path} can be a job's output: not a root, not existing.
     *
     * @throws IllegalArgumentException saying why not
     */
    static void checkAbsent(FileSystem fs, String path) {
        String output = fs.qualify(path);
        if (FsPaths.name(output).isEmpty())
            throw new IllegalArgumentException("output path is a root directory: " + path);
        try {
            if (fs.exists(output)) throw new IllegalArgumentException("output path already exists: " + output);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check output path " + output + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the job's staging directory, and the output's missing parents, as {@code owner}'s
     * ({@link FileSystem#mkdirs(String, String)}).
     *
     * @param owner who the directories made belong to; null: whoever makes them
     * @throws IllegalArgumentException when the output already exists or its staging cannot be made
     */
    static JobOutput prepare(FileSystem fs, String path, String jobId, String owner) {
        String output = fs.qualify(path);
        if (FsPaths.name(output).isEmpty())
            throw new IllegalArgumentException("output path is a root directory: " + path);
        String staging = stagingDir(output, jobId);
        try {
            if (fs.exists(output)) throw new IllegalArgumentException("output path already exists: " + output);
            fs.delete(staging);
            fs.mkdirs(FsPaths.child(staging, ATTEMPTS), owner);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot create output staging directory " + staging + ": " + e.getMessage(), e);
        }
        return new JobOutput(fs, output, staging);
    }

    /**
     * Publishes the output: {@code _SUCCESS} written, the staged tree handed to {@code owner}
     * ({@link FileSystem#giveTo}: the tasks wrote it as their node), then renamed into place, so it
     * appears already its owner's.
     */
    void commit(String owner) throws IOException {
        fs.delete(FsPaths.child(staging, ATTEMPTS));
        try (OutputStream marker = fs.create(FsPaths.child(staging, SUCCESS))) {
            marker.flush();
        }
        fs.giveTo(staging, owner);
        if (fs.exists(output)) throw new FileAlreadyExistsException(output, null, "output appeared while the job ran");
        fs.rename(staging, output);
    }

    void abort() throws IOException {
        fs.delete(staging);
    }
}
