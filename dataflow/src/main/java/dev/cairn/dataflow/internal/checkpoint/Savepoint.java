package dev.cairn.dataflow.internal.checkpoint;

import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

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
 * Written into {@code .dir.tmp} (each file fsynced), then renamed to {@code dir}: a savepoint
 * directory that exists is complete.
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

    /** The state file of one old subtask in savepoint directory {@code dir}. */
    public static Path stateFile(Path dir, String subtask) {
        return dir.resolve(subtask + ".state");
    }

    /** Reads the descriptor of the savepoint in {@code dir}; a one-line message if there is none. */
    public static Savepoint read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("savepoint " + dir + " does not exist");
        Path file = dir.resolve(DESCRIPTOR);
        if (!Files.exists(file))
            throw new IllegalArgumentException(dir + " is not a savepoint: it has no " + DESCRIPTOR);
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
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

    /** Copies complete checkpoint directory {@code checkpoint} to savepoint {@code target}, durably. */
    public void writeFrom(Path checkpoint, Path target) throws IOException {
        if (Files.exists(target)) throw new IllegalArgumentException("savepoint " + target + " already exists");
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + target.getFileName() + ".tmp");
        if (Files.exists(tmp)) delete(tmp);
        Files.createDirectories(tmp);
        try (Stream<Path> files = Files.list(checkpoint)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) continue; // a temp file of a write
                LocalDirectoryCheckpointStorage.writeAtomically(tmp, name, Files.readAllBytes(f));
            }
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
        LocalDirectoryCheckpointStorage.writeAtomically(
                tmp, DESCRIPTOR, w.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        LocalDirectoryCheckpointStorage.fsyncDirectory(parent);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * Why a job with these operators and max parallelism cannot start from this savepoint, or null
     * if it can.
     */
    public String mismatch(Path dir, int maxParallelism, List<String> operators, List<Integer> heads) {
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
