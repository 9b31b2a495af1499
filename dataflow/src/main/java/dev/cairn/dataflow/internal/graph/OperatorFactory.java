package dev.cairn.dataflow.internal.graph;

import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.io.Serializable;
import java.util.List;

/**
 * Creates one operator instance per subtask. Factories hold only the user's functions and plain
 * settings, so a distributed runtime can serialize them into the graph it ships.
 */
public interface OperatorFactory extends Serializable {
    /** A short description of the operator, for the graph's printout. */
    String kind();

    StreamOperator<?> create();

    /** Files or directories the operator reads, which must exist when the job starts ({@link ProgramPaths}). */
    default List<String> inputPaths() {
        return List.of();
    }

    /** Directories the operator writes anew, which must not exist when the job starts ({@link ProgramPaths}). */
    default List<String> newOutputDirectories() {
        return List.of();
    }
}
