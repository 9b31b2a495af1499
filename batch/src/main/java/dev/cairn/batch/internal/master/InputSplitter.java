package dev.cairn.batch.internal.master;

import dev.cairn.common.fs.BlockSpan;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a job's input paths into byte-range splits. Directories are read recursively; names
 * starting with '.' or '_' are skipped (markers like _SUCCESS, editor and staging files).
 *
 * <p>Splits follow the file's blocks as its file system reports them: a split never spans two
 * blocks (it would read part of its input from wherever the other block lies), a block bigger
 * than the split size is cut into several, and each split records the hosts of its block so the
 * master can run its map task there. A local file is one block without hosts, so it is simply
 * cut every split size.
 */
final class InputSplitter {
    /** Like Hadoop's SPLIT_SLOP: the last split of a block may be up to 10% larger rather than leave a sliver. */
    private static final double SLOP = 1.1;

    private InputSplitter() {}

    /**
     * @throws IllegalArgumentException naming the path when an input is missing or holds no files,
     *     or when no file system serves its scheme
     */
    static List<InputSplit> split(FileSystemRegistry fileSystems, List<String> inputs, long splitBytes) {
        List<InputSplit> splits = new ArrayList<>();
        for (String input : inputs) {
            FileSystem fs = fileSystems.forPath(input);
            String root = fs.qualify(input);
            List<FileEntry> files;
            try {
                files = fs.listFiles(root).stream()
                        .filter(f -> !hidden(root, f.path()))
                        .toList();
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("input path does not exist: " + input);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list input " + input + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) throw new IllegalArgumentException("input path holds no files: " + input);
            for (FileEntry f : files) {
                try {
                    for (BlockSpan b : fs.blocks(f.path())) cut(input, f.path(), b, splitBytes, splits);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read input " + f.path() + ": " + e.getMessage(), e);
                }
            }
        }
        return splits;
    }

    private static void cut(String input, String file, BlockSpan block, long splitBytes, List<InputSplit> splits) {
        long start = block.offset();
        long end = block.offset() + block.length();
        while (end - start > splitBytes * SLOP) {
            splits.add(new InputSplit(input, file, start, splitBytes, block.hosts()));
            start += splitBytes;
        }
        if (end - start > 0) splits.add(new InputSplit(input, file, start, end - start, block.hosts()));
    }

    /** Whether a segment of {@code file} below {@code root} starts with '.' or '_' (the root itself may). */
    private static boolean hidden(String root, String file) {
        if (file.equals(root)) return false;
        String relative = file.substring(root.length());
        for (String part : relative.split("/", -1)) {
            if (part.startsWith(".") || part.startsWith("_")) return true;
        }
        return false;
    }
}
