package dev.cairn.batch.stage;

import dev.cairn.batch.TaskContext;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * A running task of a stage, as its {@link StageProgram} sees it. Which of the input and output
 * methods apply depends on the stage: a file stage has {@link #lines()}, a stage after parents
 * has {@link #parent}; a stage with output partitions has {@link #partitionedOutput}, one writing
 * the job's output has {@link #jobOutput}. The others throw {@link IllegalStateException}. Used
 * by the attempt's thread only.
 */
public interface StageContext extends TaskContext {
    /** The stage's name. */
    String stage();

    /** This task's index within its stage: for a stage after parents, the partition it reads. */
    int taskIndex();

    /** The stage's program bytes, as given in its spec. */
    byte[] program();

    /** The job's class loader: user classes named in the program are loaded from it. */
    ClassLoader classLoader();

    /** The parents this stage reads, in the spec's order, then its broadcast parents. */
    List<String> parents();

    /** A file stage's split, line by line; opened at the first call. */
    LineInput lines() throws IOException;

    /**
     * This task's partition of {@code parentStage}'s output, sorted by key bytes, fetched from
     * the workers that made it at the first call; of a broadcast parent, its whole output (its one
     * partition, from every task), in every task. Each parent is read once. A parent output that cannot be fetched ends the
     * attempt: the master re-makes that output and runs the task again.
     */
    SortedInput parent(String parentStage) throws IOException;

    /**
     * Where this task writes the partitions that later stages read; the same object on every
     * call. Values of equal keys may be folded by {@code combiner} (null for none) as they are
     * sorted, any number of times; the combiner of the first call counts.
     */
    PartitionedOutput partitionedOutput(ValueCombiner combiner) throws IOException;

    /**
     * Starts this task's file of the job's output, named {@code fileName} in the output
     * directory (at most one per task): it becomes part of the output only if the program
     * returns normally and this attempt is the one allowed to commit. The program closes it.
     */
    OutputStream jobOutput(String fileName) throws IOException;

    /** Reports how far the task is (0..1) and how many records it read and wrote so far. */
    void progress(double fraction, long recordsIn, long recordsOut);

    /** Throws when the attempt was killed, so that long loops stop promptly. */
    void checkCancelled() throws InterruptedException;
}
