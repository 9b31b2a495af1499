package dev.cairn.dataflow;

/**
 * A dataflow program packaged for {@code bin/cairn submit}: the class named on the command line
 * (or a bundled example) implements this, with a public no-argument constructor. The command
 * creates the {@link Dataflow} with the options it was given (parallelism, checkpoints) and
 * calls {@link #define}; the graph it builds is shipped to the cluster with the job's jar.
 */
@FunctionalInterface
public interface DataflowJob {
    /**
     * Adds the program's sources, operators and sinks to {@code flow}.
     *
     * @param args the command line's arguments after the job's name or class
     * @throws IllegalArgumentException with a usage message, for wrong arguments
     */
    void define(Dataflow flow, String[] args);
}
