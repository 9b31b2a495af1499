package dev.cairn.dataflow.internal.graph;

import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.common.fs.FsUser;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Checks the paths of a program's file sources and sinks before it runs, with messages that name
 * the path: an input must exist, a new output directory must not. A new output directory is
 * checked while the program is built, against the file systems its options give when they serve
 * its scheme; inputs when an in-JVM run starts. The stream master checks both, for the paths with
 * a scheme (e.g. {@code cairn://}, which the client may not reach), when a job is submitted.
 */
public final class ProgramPaths {
    private ProgramPaths() {}

    /**
     * Whether {@code registry} serves the scheme of {@code path}, so that it can be checked here.
     * A scheme it records as unavailable counts as served: checking fails with its reason.
     */
    public static boolean checkable(FileSystemRegistry registry, String path) {
        return registry.knows(path);
    }

    /** {@link #requireInput} for every input of the graph's file sources. */
    public static void requireInputs(LogicalGraph graph, FileSystemRegistry registry) {
        for (OperatorNode node : graph.nodes())
            for (String path : node.factory().inputPaths()) requireInput(registry, path);
    }

    /**
     * Refuses an input that does not exist.
     *
     * @throws IllegalArgumentException naming the path, when it is missing, cannot be checked, or
     *     has no file system here
     */
    public static void requireInput(FileSystemRegistry registry, String path) {
        FileSystem fs = registry.forPath(path);
        try {
            if (!fs.exists(path))
                throw new IllegalArgumentException("input file or directory " + path + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check input " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an output directory that exists: the transactional file sink writes a new one.
     *
     * @throws IllegalArgumentException naming the path, when it exists, cannot be checked, or has
     *     no file system here
     */
    public static void requireNewOutput(FileSystemRegistry registry, String directory) {
        FileSystem fs = registry.forPath(directory);
        try {
            if (fs.exists(directory)) {
                throw new IllegalArgumentException("output directory " + directory
                        + " already exists: the transactional file sink writes a new directory");
            }
        } catch (NoSuchFileException e) {
            // its parent is missing too: the sink makes both
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check output directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an input {@code user} may not read (the file, or a directory and every file in it).
     *
     * @throws dev.cairn.common.security.PermissionDeniedException naming the path and the right
     * @throws IllegalArgumentException when it cannot be checked
     */
    public static void requireReadable(FileSystemRegistry registry, String path, FsUser user) {
        try {
            registry.forPath(path).checkRead(path, user);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check input " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an output directory {@code user} may not create (or, existing, write into).
     *
     * @throws dev.cairn.common.security.PermissionDeniedException naming the path and the right
     * @throws IllegalArgumentException when it cannot be checked
     */
    public static void requireCreatable(FileSystemRegistry registry, String directory, FsUser user) {
        try {
            registry.forPath(directory).checkCreate(directory, user);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check output directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code path} names a scheme ({@code cairn:///x}) rather than a plain local path. */
    public static boolean hasScheme(String path) {
        return FsPaths.scheme(path) != null;
    }
}
