package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobStatus;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.DataflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code submit --mode batch} of a dataflow program ({@link DataflowJob}): builds the program
 * here, where the user's arguments are checked, plans it into a batch job of stages, ships that
 * and the jar to the batch master, and follows the job like a MapReduce job.
 */
final class BatchDataflowSubmit {
    private BatchDataflowSubmit() {}

    static int run(
            DataflowJob job,
            String name,
            Path jar,
            List<String> args,
            int parallelism,
            java.util.Map<String, String> params,
            boolean detach,
            MasterTarget target)
            throws Exception {
        if (parallelism < 1) throw new CliException("--parallelism must be at least 1, got " + parallelism);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(parallelism));
        JobGraph graph;
        try {
            job.define(flow, args.toArray(String[]::new));
            graph = flow.toBatchJob(name).withPaths(BatchDataflowSubmit::absolute);
            for (java.util.Map.Entry<String, String> p : params.entrySet())
                graph = graph.withParam(p.getKey(), p.getValue());
        } catch (IllegalArgumentException | DataflowException e) {
            throw new CliException(e.getMessage());
        }
        String master = target.resolve();
        try (BatchClient client = BatchClient.connect(master, target.security())) {
            JobStatus status = client.submit(
                    graph, Files.readAllBytes(jar), jar.getFileName().toString());
            System.out.printf(
                    "submitted %s (%s) to %s: stages %s%n", status.jobId(), status.name(), master, stages(status));
            if (detach) return 0;
            JobStatus end = JobWaiter.await(client, status.jobId(), System.out);
            return JobWaiter.report(end, System.out, System.err);
        }
    }

    /** {@code s1[4] -> s2[2]}: each stage and its tasks. */
    static String stages(JobStatus status) {
        return status.stages().stream()
                .map(s -> s.name() + "[" + (s.total() == 0 ? "?" : s.total()) + "]")
                .collect(Collectors.joining(" -> "));
    }

    /** Local paths as the workers must see them: absolute (a cluster's nodes share this machine's files). */
    private static String absolute(String path) {
        if (FsPaths.scheme(path) != null) return path;
        return Path.of(path).toAbsolutePath().normalize().toString();
    }
}
