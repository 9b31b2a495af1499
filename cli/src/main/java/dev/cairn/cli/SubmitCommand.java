package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "submit", description = {
        "Submit a job to a cluster and follow it with a progress bar.",
        "Either --jar JAR --class CLASS (a dev.cairn.batch.JobDefinition in that jar) or --example NAME."})
final class SubmitCommand implements Callable<Integer> {
    @Option(names = "--master", required = true, paramLabel = "HOST:PORT", description = "The master to submit to.")
    String master;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        JarSource jar;

        @Option(names = "--example", paramLabel = "NAME", description = "A bundled example: wordcount, grep, failing-wordcount.")
        String example;
    }

    static final class JarSource {
        @Option(names = "--jar", required = true, paramLabel = "JAR", description = "The job jar; shipped to the workers.")
        Path jar;

        @Option(names = "--class", required = true, paramLabel = "CLASS", description = "The JobDefinition class in JAR.")
        String className;
    }

    @Option(names = "--detach", description = "Print the job id and return without waiting for the job.")
    boolean detach;

    @Parameters(paramLabel = "ARGS", description = "Arguments for the job definition.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path jar;
        String className;
        if (source.example != null) {
            jar = CairnHome.examplesJar();
            Properties examples = JobLoader.examples(jar);
            className = examples.getProperty(source.example);
            if (className == null) throw new CliException("no example named '" + source.example + "'; known: " + String.join(", ", examples.stringPropertyNames().stream().sorted().toList()));
        } else {
            jar = source.jar.jar;
            className = source.jar.className;
        }
        JobLoader.Loaded loaded = JobLoader.load(jar, className, args);
        try (BatchClient client = BatchClient.connect(master)) {
            JobStatus status = client.submit(loaded.spec(), loaded.jar(), loaded.jarName());
            System.out.printf("submitted %s (%s): %d map tasks, %d reduce tasks%n", status.jobId(), status.name(),
                    status.stage("map").total(), status.stage("reduce").total());
            if (detach) return 0;
            JobStatus end = JobWaiter.await(client, status.jobId(), System.out);
            return JobWaiter.report(end, System.out, System.err);
        }
    }
}
