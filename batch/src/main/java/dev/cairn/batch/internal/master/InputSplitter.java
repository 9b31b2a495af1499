package dev.cairn.batch.internal.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cuts a job's input paths into byte-range splits. Directories are read recursively; names
 * starting with '.' or '_' are skipped (markers like _SUCCESS, editor and staging files).
 */
final class InputSplitter {
    /** Like Hadoop's SPLIT_SLOP: the last split may be up to 10% larger rather than leave a sliver. */
    private static final double SLOP = 1.1;

    private InputSplitter() {}

    /** @throws IllegalArgumentException naming the path when an input is missing or holds no files */
    static List<InputSplit> split(List<String> inputs, long splitBytes) {
        List<InputSplit> splits = new ArrayList<>();
        for (String input : inputs) {
            Path root = Path.of(input);
            if (!Files.exists(root)) throw new IllegalArgumentException("input path does not exist: " + input);
            List<Path> files = listFiles(root);
            if (files.isEmpty()) throw new IllegalArgumentException("input path holds no files: " + input);
            for (Path f : files) {
                long size = size(f);
                long start = 0;
                while (size - start > splitBytes * SLOP) {
                    splits.add(new InputSplit(f.toString(), start, splitBytes));
                    start += splitBytes;
                }
                if (size - start > 0) splits.add(new InputSplit(f.toString(), start, size - start));
            }
        }
        return splits;
    }

    private static List<Path> listFiles(Path root) {
        if (Files.isRegularFile(root)) return List.of(root);
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> root.relativize(p).toString().isEmpty() || !hidden(root.relativize(p)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list input " + root + ": " + e.getMessage(), e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) return true;
        }
        return false;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read input " + f + ": " + e.getMessage(), e);
        }
    }
}
