package dev.cairn.dataflow.internal.graph;

import dev.cairn.dataflow.internal.operators.StreamOperator;
import java.io.Serializable;

/**
 * Creates one operator instance per subtask. Factories hold only the user's functions and plain
 * settings, so a distributed runtime can serialize them into the graph it ships.
 */
public interface OperatorFactory extends Serializable {
    /** A short description of the operator, for the graph's printout. */
    String kind();

    StreamOperator<?> create();
}
