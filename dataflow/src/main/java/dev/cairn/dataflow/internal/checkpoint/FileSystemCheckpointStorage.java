package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checkpoints in a directory of any {@link FileSystem}, e.g. {@code cairn:///cairn/stream/checkpoints/<job>}
 * in Cairn's store, laid out as {@link LocalDirectoryCheckpointStorage} lays out a local one:
 *
 * <pre>
 * root/chk-7/3-0.state     state of subtask 0 of operator 3 (chain head)
 * root/chk-7/_metadata     written last; its presence means checkpoint 7 is complete
 * root/chk-7/f3a9….shared  the shared files one state backend instance's snapshot in checkpoint 7 names
 * root/shared/f3a9…-000012.sst   a shared file (write-once), kept while some chk-N references it
 * </pre>
 *
 * <p>Atomicity comes from the file system's contract: a file appears whole when its writer closes
 * it, or not at all. A file is never replaced, so rewriting one (a checkpoint id tried again after
 * a failed run) deletes the old first; nobody reads the state of a checkpoint without metadata, so
 * the gap is harmless. Shared files are write-once under unique names: one that exists is whole
 * and is not written again. The sweep of orphaned shared files works as the local storage's does
 * (see there why a file written during a sweep is never taken for an orphan).
 */
public final class FileSystemCheckpointStorage implements CheckpointStorage {
    private static final String METADATA = LocalDirectoryCheckpointStorage.METADATA;
    private static final String SHARED_REFERENCES = ".shared";
    private final FileSystem fs;
    private final String root;

    /** Storage under {@code root} of {@code fs}, which is made if missing. */
    public FileSystemCheckpointStorage(FileSystem fs, String root) throws IOException {
        this.fs = fs;
        this.root = fs.qualify(root);
        fs.mkdirs(this.root);
    }

    private String dir(long checkpointId) {
        return FsPaths.child(root, "chk-" + checkpointId);
    }

    private String sharedDir() {
        return FsPaths.child(root, "shared");
    }

    @Override
    public void writeState(long checkpointId, String subtask, byte[] state) throws IOException {
        replace(FsPaths.child(dir(checkpointId), subtask + ".state"), state);
    }

    @Override
    public byte[] readState(long checkpointId, String subtask) throws IOException {
        return readIfExists(FsPaths.child(dir(checkpointId), subtask + ".state"));
    }

    @Override
    public void commitMetadata(long checkpointId, byte[] metadata) throws IOException {
        replace(FsPaths.child(dir(checkpointId), METADATA), metadata);
    }

    @Override
    public byte[] readMetadata(long checkpointId) throws IOException {
        return readIfExists(FsPaths.child(dir(checkpointId), METADATA));
    }

    @Override
    public List<Long> completed() throws IOException {
        List<Long> ids = new ArrayList<>();
        for (FileEntry f : fs.listFiles(root)) {
            if (!FsPaths.name(f.path()).equals(METADATA)) continue;
            String chk = FsPaths.parent(f.path());
            if (!FsPaths.parent(chk).equals(root)) continue;
            String name = FsPaths.name(chk);
            if (!name.startsWith("chk-")) continue;
            try {
                ids.add(Long.parseLong(name.substring(4)));
            } catch (NumberFormatException e) {
                // not ours
            }
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public void discard(long checkpointId) throws IOException {
        String d = dir(checkpointId);
        if (!fs.exists(d)) return;
        // The metadata goes first, so a half-deleted checkpoint never looks complete.
        fs.delete(FsPaths.child(d, METADATA));
        fs.delete(d);
        sweepSharedFiles();
    }

    @Override
    public void referenceSharedFiles(long checkpointId, String owner, Collection<String> names) throws IOException {
        checkName(owner);
        StringBuilder text = new StringBuilder();
        for (String name : names) text.append(checkName(name)).append('\n');
        replace(
                FsPaths.child(dir(checkpointId), owner + SHARED_REFERENCES),
                text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeSharedFile(String name, Path file) throws IOException {
        String target = FsPaths.child(sharedDir(), checkName(name));
        if (fs.exists(target)) return; // write-once: an earlier attempt wrote it whole
        try (OutputStream out = fs.create(target)) {
            Files.copy(file, out);
        } catch (FileAlreadyExistsException e) {
            // written meanwhile by an attempt of the same writer: the same content
        }
    }

    @Override
    public void readSharedFile(String name, Path target) throws IOException {
        String source = FsPaths.child(sharedDir(), checkName(name));
        long length = fs.listFiles(source).get(0).length();
        try (InputStream in = fs.open(source, 0, length)) {
            Files.copy(in, target);
        }
    }

    /** The names of the shared files stored now, for tests. */
    public Set<String> sharedFiles() throws IOException {
        Set<String> names = new TreeSet<>();
        if (!fs.exists(sharedDir())) return names;
        for (FileEntry f : fs.listFiles(sharedDir())) {
            String name = FsPaths.name(f.path());
            if (!name.startsWith(".")) names.add(name);
        }
        return names;
    }

    /** Deletes the shared files no checkpoint directory references (listed first: see the class doc). */
    private synchronized void sweepSharedFiles() throws IOException {
        Set<String> candidates = sharedFiles();
        if (candidates.isEmpty()) return;
        Set<String> referenced = new HashSet<>();
        for (FileEntry f : fs.listFiles(root)) {
            if (!FsPaths.name(f.path()).endsWith(SHARED_REFERENCES)) continue;
            if (!FsPaths.name(FsPaths.parent(f.path())).startsWith("chk-")) continue;
            byte[] refs = readIfExists(f.path());
            if (refs != null)
                referenced.addAll(
                        new String(refs, StandardCharsets.UTF_8).lines().toList());
        }
        candidates.removeAll(referenced);
        for (String orphan : candidates) fs.delete(FsPaths.child(sharedDir(), orphan));
    }

    private static String checkName(String name) {
        if (name.isEmpty()
                || name.startsWith(".")
                || name.contains("/")
                || name.contains("\\")
                || name.contains("\n")) {
            throw new IllegalArgumentException("not a valid shared file or owner name: '" + name + "'");
        }
        return name;
    }

    private byte[] readIfExists(String file) throws IOException {
        try {
            List<FileEntry> entries = fs.listFiles(file);
            if (entries.size() != 1 || !entries.get(0).path().equals(fs.qualify(file))) return null;
            try (InputStream in = fs.open(file, 0, entries.get(0).length())) {
                return in.readAllBytes();
            }
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Writes {@code file} whole, deleting what an earlier attempt left under its name. */
    private void replace(String file, byte[] bytes) throws IOException {
        fs.delete(file);
        try (OutputStream out = fs.create(file)) {
            out.write(bytes);
        }
    }
}
