package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A savepoint: a complete checkpoint copied out of a job's checkpoint storage, so that it outlives
 * the job, with a descriptor ({@value #DESCRIPTOR}) of the program it came from. A new job (the
 * same program, any parallelism up to the same max parallelism) starts from it.
 *
 * <pre>
 *  dir/&lt;chainHead&gt;-&lt;subtask&gt;.state   as in the checkpoint (one per old subtask)
 *  dir/_metadata                       as in the checkpoint
 *  dir/_savepoint                      job, checkpoint, max parallelism, operators, chain heads
 * </pre>
 *
 * On any {@link FileSystem} ({@code cairn:///savepoints/q7-12} in the store, or a local
 * directory). Written into {@code .dir.tmp}, then renamed to {@code dir}: a savepoint directory
 * that exists is complete (on local disks every file is fsynced first).
 *
 * <p>Rescaling ({@link #oldSubtasksFor}): keyed state is per key group, so new subtask i of a
 * chain restores the snapshots of the old subtasks whose key groups overlap its own and keeps the
 * key groups it owns; a chain headed by a source restores every old subtask's snapshot (the
 * source's rest of input is redistributed, see {@code TextFileSource}).
 *
 * @param operators every operator of the program as {@code id:name}
 */
public record Savepoint(String job, long checkpointId, int maxParallelism, List<String> operators, List<Head> heads) {
    public static final String DESCRIPTOR = "_savepoint";

    /** A chain head of the job the savepoint was taken from. */
    public record Head(int operator, int parallelism, boolean source) {}

    public Head head(int operator) {
        for (Head h : heads) if (h.operator() == operator) return h;
        throw new IllegalArgumentException("the savepoint has no chain headed by operator " + operator);
    }

    /**
     * The old subtasks whose snapshots new subtask {@code index} of a chain restores.
     *
     * @param source whether the chain is headed by a source: it then takes every old snapshot
     */
    public static List<Integer> oldSubtasksFor(
            int maxParallelism, int oldParallelism, int newParallelism, int index, boolean source) {
        List<Integer> old = new ArrayList<>();
        if (oldParallelism == newParallelism) {
            old.add(index);
            return old;
        }
        KeyGroupRange mine = KeyGroupRange.forSubtask(maxParallelism, newParallelism, index);
        for (int s = 0; s < oldParallelism; s++) {
            KeyGroupRange theirs = KeyGroupRange.forSubtask(maxParallelism, oldParallelism, s);
            if (source || (theirs.first() <= mine.last() && mine.first() <= theirs.last())) old.add(s);
        }
        return old;
    }

    /** The state of one old subtask in savepoint directory {@code dir} of {@code fs}. */
    public static byte[] readState(FileSystem fs, String dir, String subtask) throws IOException {
        return readAll(fs, FsPaths.child(dir, subtask + ".state"));
    }

    private static byte[] readAll(FileSystem fs, String file) throws IOException {
        List<FileEntry> entries = fs.listFiles(file);
        if (entries.size() != 1) throw new NoSuchFileException(file, null, "not a file");
        try (InputStream in = fs.open(file, 0, entries.get(0).length())) {
            return in.readAllBytes();
        }
    }

    /** Reads the descriptor of the savepoint in {@code dir} of {@code fs}; a one-line message if there is none. */
    public static Savepoint read(FileSystem fs, String dir) throws IOException {
        if (!fs.exists(dir)) throw new IllegalArgumentException("savepoint " + dir + " does not exist");
        String file = FsPaths.child(dir, DESCRIPTOR);
        if (!fs.exists(file)) throw new IllegalArgumentException(dir + " is not a savepoint: it has no " + DESCRIPTOR);
        Properties p = new Properties();
        p.load(new StringReader(new String(readAll(fs, file), StandardCharsets.UTF_8)));
        try {
            List<Head> heads = new ArrayList<>();
            for (String h : split(p.getProperty("heads", ""))) {
                String[] f = h.split(":", -1);
                heads.add(new Head(Integer.parseInt(f[0]), Integer.parseInt(f[1]), "source".equals(f[2])));
            }
            return new Savepoint(
                    p.getProperty("job"),
                    Long.parseLong(p.getProperty("checkpoint")),
                    Integer.parseInt(p.getProperty("max-parallelism")),
                    split(p.getProperty("operators", "")),
                    heads);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("savepoint " + dir + " has a malformed " + DESCRIPTOR + ": " + e, e);
        }
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",", -1)) if (!part.isEmpty()) out.add(part.replace("%2C", ","));
        return out;
    }

    private static String join(List<String> parts) {
        return String.join(",", parts.stream().map(x -> x.replace(",", "%2C")).toList());
    }

    /**
     * Copies complete checkpoint directory {@code checkpoint} of {@code from} to savepoint
     * {@code target} of {@code to}, durably.
     */
    public void writeFrom(FileSystem from, String checkpoint, FileSystem to, String target) throws IOException {
        if (to.exists(target)) throw new IllegalArgumentException("savepoint " + target + " already exists");
        String parent = FsPaths.parent(to.qualify(target));
        String tmp = FsPaths.child(parent, "." + FsPaths.name(to.qualify(target)) + ".tmp");
        to.delete(tmp);
        to.mkdirs(tmp);
        String source = from.qualify(checkpoint);
        for (FileEntry f : from.listFiles(source)) {
            String name = FsPaths.name(f.path());
            // Only the checkpoint's own files: not a temp file of a write.
            if (!FsPaths.parent(f.path()).equals(source) || name.startsWith(".")) continue;
            write(to, FsPaths.child(tmp, name), readAll(from, f.path()));
        }
        Properties p = new Properties();
        p.setProperty("job", job);
        p.setProperty("checkpoint", Long.toString(checkpointId));
        p.setProperty("max-parallelism", Integer.toString(maxParallelism));
        p.setProperty("operators", join(operators));
        p.setProperty(
                "heads",
                join(heads.stream()
                        .map(h -> h.operator() + ":" + h.parallelism() + ":" + (h.source() ? "source" : "inner"))
                        .toList()));
        java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, "Cairn savepoint");
        write(to, FsPaths.child(tmp, DESCRIPTOR), w.toString().getBytes(StandardCharsets.UTF_8));
        LocalDirectoryCheckpointStorage.syncIfLocal(to, tmp);
        to.rename(tmp, target);
        LocalDirectoryCheckpointStorage.syncIfLocal(to, parent);
    }

    private static void write(FileSystem fs, String file, byte[] bytes) throws IOException {
        try (OutputStream out = fs.create(file)) {
            out.write(bytes);
        }
        LocalDirectoryCheckpointStorage.syncIfLocal(fs, file);
    }

    /**
     * Why a job with these operators and max parallelism cannot start from this savepoint, or null
     * if it can.
     */
    public String mismatch(String dir, int maxParallelism, List<String> operators, List<Integer> heads) {
        if (!operators.equals(this.operators)) {
            return "savepoint " + dir + " was taken from a job with operators " + this.operators + ", this job has "
                    + operators;
        }
        List<Integer> mine = this.heads.stream().map(Head::operator).sorted().toList();
        if (!mine.equals(heads.stream().sorted().toList())) {
            return "savepoint " + dir + " was taken from a job whose chains start at operators " + mine
                    + ", this job's start at " + heads;
        }
        if (maxParallelism != this.maxParallelism) {
            return "savepoint " + dir + " was taken from a job with max parallelism " + this.maxParallelism
                    + ", this job has " + maxParallelism + " (it must stay the same)";
        }
        return null;
    }
}
