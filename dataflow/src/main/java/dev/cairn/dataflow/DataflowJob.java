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

    /**
     * How {@code bin/cairn submit} runs the program when not told ({@code --mode}): as a stream,
     * unless the program needs bounded input (a sort, an unwindowed join) and says batch.
     */
    default RuntimeMode mode() {
        return RuntimeMode.STREAMING;
    }
}
