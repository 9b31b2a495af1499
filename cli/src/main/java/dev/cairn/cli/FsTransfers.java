package dev.cairn.cli;

import dev.cairn.store.FileStatus;
import dev.cairn.store.StoreClient;
import dev.cairn.store.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The copying behind {@code fs put}, {@code get} and {@code getmerge}: where a copy lands, whole
 * trees copied a few files at a time, and local files that appear only when complete.
 */
final class FsTransfers {
    private FsTransfers() {}

    /** Files and bytes a tree copy moved. */
    record Totals(int files, long bytes) {}

    /**
     * Where a copy named {@code name} lands for the store path the user gave, as {@code cp} and
     * {@code hdfs dfs -put} decide: into {@code path} when it ends in '/' (made if missing) or
     * names an existing directory, else at {@code path} itself.
     */
    static String destination(StoreClient store, String path, String name) throws IOException {
        boolean into = path.endsWith("/");
        if (!into) {
            try {
                into = store.stat(path).directory();
            } catch (NoSuchFileException e) {
                into = false;
            }
        }
        if (!into) return path;
        String dir = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (!dir.isEmpty()) store.mkdirs(dir);
        return dir + "/" + name;
    }

    /** Copies one local file into the store; a failed copy leaves no file behind (the store publishes on close). */
    static void putFile(StoreClient store, Path local, String target, WriteOptions options, long size, boolean progress)
            throws IOException {
        try (InputStream in = Files.newInputStream(local);
                OutputStream out = store.create(target, options)) {
            FsCommand.copy(in, out, size, progress ? System.err : null);
        }
    }

    /**
     * Copies a local directory into the store as {@code target}, {@code parallel} files at a time:
     * directories first (empty ones too), then files. The first failure stops the copy and is
     * thrown; files already copied stay.
     */
    static Totals putTree(StoreClient store, Path root, String target, WriteOptions options, int parallel)
            throws IOException {
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isDirectory(p)) dirs.add(p);
                else if (Files.isRegularFile(p)) files.add(p);
            }
        }
        for (Path d : dirs) store.mkdirs(storePath(target, root, d));
        long bytes = 0;
        for (Path f : files) bytes += Files.size(f);
        runAll(
                parallel,
                files.stream()
                        .<IoTask>map(f -> () -> putFile(store, f, storePath(target, root, f), options, 0, false))
                        .toList());
        return new Totals(files.size(), bytes);
    }

    private static String storePath(String target, Path root, Path p) {
        String rel = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
        return rel.isEmpty() ? target : target + "/" + rel;
    }

    /** Copies a store file to {@code target}, which appears only once complete. */
    static void getFile(StoreClient store, String path, Path target, long size, boolean progress) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".cairn-part");
        try (InputStream in = store.open(path);
                OutputStream out = Files.newOutputStream(tmp)) {
            FsCommand.copy(in, out, size, progress ? System.err : null);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Copies a store directory to the local directory {@code target} (made if missing; an existing
     * file there is an error), {@code parallel} files at a time, empty directories included.
     */
    static Totals getTree(StoreClient store, String dir, Path target, int parallel) throws IOException {
        if (Files.exists(target) && !Files.isDirectory(target))
            throw new FileAlreadyExistsException(target.toString(), null, "a local file, not a directory");
        List<FileStatus> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        walk(store, dir, dirs, files);
        Files.createDirectories(target);
        for (String d : dirs) Files.createDirectories(localPath(target, dir, d));
        long bytes = files.stream().mapToLong(FileStatus::length).sum();
        runAll(
                parallel,
                files.stream()
                        .<IoTask>map(f ->
                                () -> getFile(store, f.path(), localPath(target, dir, f.path()), f.length(), false))
                        .toList());
        return new Totals(files.size(), bytes);
    }

    private static void walk(StoreClient store, String dir, List<String> dirs, List<FileStatus> files)
            throws IOException {
        for (FileStatus f : store.list(dir)) {
            if (f.directory()) {
                dirs.add(f.path());
                walk(store, f.path(), dirs, files);
            } else {
                files.add(f);
            }
        }
    }

    private static Path localPath(Path target, String root, String storePath) {
        String rel = storePath.substring(root.length()).replaceFirst("^/", "");
        return rel.isEmpty() ? target : target.resolve(rel);
    }

    /**
     * Concatenates the files directly in {@code dir}, in name order, leaving out names that start
     * with '_' or '.', into {@code target}, which appears only once complete.
     */
    static Totals getMerge(StoreClient store, String dir, Path target, boolean newlines) throws IOException {
        List<FileStatus> parts = store.list(dir).stream()
                .filter(f -> !f.directory())
                .filter(f -> {
                    String name = f.path().substring(f.path().lastIndexOf('/') + 1);
                    return !name.startsWith("_") && !name.startsWith(".");
                })
                .sorted(Comparator.comparing(FileStatus::path))
                .toList();
        Path tmp = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".cairn-part");
        long bytes = 0;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            for (FileStatus f : parts) {
                try (InputStream in = store.open(f.path())) {
                    bytes += in.transferTo(out);
                }
                if (newlines && f.length() > 0 && !endsWithNewline(store, f)) {
                    out.write('\n');
                    bytes++;
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Totals(parts.size(), bytes);
    }

    private static boolean endsWithNewline(StoreClient store, FileStatus f) throws IOException {
        try (InputStream in = store.open(f.path(), f.length() - 1, 1)) {
            return in.read() == '\n';
        }
    }

    /** Replicas a file has: those of its least replicated block (its target when it has no blocks). */
    static int actualReplication(FileStatus f) {
        return f.blocks().stream().mapToInt(b -> b.nodes().size()).min().orElse(f.replication());
    }

    /** Says why files are short of replicas: too few live store nodes for their target, or repairs pending. */
    static String shortNote(StoreClient store, int files, int target) throws IOException {
        int live = store.nodes().size();
        if (live < target) {
            return "note: " + files + " file(s) have fewer replicas than their target; only " + live
                    + " store node(s) are live, so at most " + live + " replica(s) of a block can exist";
        }
        return "note: " + files
                + " file(s) have fewer replicas than their target; the store's monitor is restoring them";
    }

    @FunctionalInterface
    private interface IoTask {
        void run() throws IOException;
    }

    /** Runs the tasks {@code parallel} at a time; the first failure cancels the rest and is thrown. */
    private static void runAll(int parallel, List<IoTask> tasks) throws IOException {
        if (tasks.isEmpty()) return;
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(parallel, tasks.size()),
                Thread.ofVirtual().name("fs-copy-", 0).factory());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (IoTask t : tasks)
                futures.add(pool.submit(() -> {
                    t.run();
                    return null;
                }));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof IOException io) throw io;
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IOException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }
}
