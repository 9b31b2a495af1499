package dev.cairn.batch;

/**
 * The entry point of a job jar: {@code bin/cairn submit --jar JAR --class CLASS ARGS...} creates
 * CLASS (public no-argument constructor) and calls {@link #define(String[])} with ARGS, on the
 * submitting machine, to learn what to run. The mapper, reducer and other classes the returned
 * spec names are then loaded from the same jar on the workers.
 */
public interface JobDefinition {
    /**
     * The spec of the job these arguments ask for.
     * @throws IllegalArgumentException with a usage message when the arguments are wrong
     */
    JobSpec define(String[] args);
}
