package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobGraph;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.JobStatus;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.rpc.RpcUnavailableException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "submit",
        description = {
            "Submit a job to a cluster and follow it with a progress bar.",
            "Either --jar JAR --class CLASS (a dev.cairn.batch.JobDefinition, or a dev.cairn.dataflow.DataflowJob for a"
                    + " stream job, in that jar) or --example NAME."
        })
final class SubmitCommand implements Callable<Integer> {
    private static final int MAX_FAILOVERS = 3;
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(60);

    @Mixin
    MasterTarget target;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        JarSource jar;

        @Option(
                names = "--example",
                paramLabel = "NAME",
                description = "A bundled example: wordcount, grep, failing-wordcount, customer-orders (MapReduce);"
                        + " nexmark-q5, nexmark-q7, nexmark-q8 (dataflow, stream or batch: EVENTS.csv OUT_DIR"
                        + " [MALFORMED_DIR]; with MALFORMED_DIR malformed lines go there, with the reason, instead of"
                        + " failing the job), windowed-wordcount, big-state (stream: KEYS VALUE_BYTES OUT_DIR, keyed"
                        + " state of KEYS x VALUE_BYTES for --state-backend rocksdb); dataflow-wordcount (dataflow,"
                        + " --mode batch).")
        String example;
    }

    static final class JarSource {
        @Option(
                names = "--jar",
                required = true,
                paramLabel = "JAR",
                description = "The job jar; shipped to the workers.")
        Path jar;

        @Option(
                names = "--class",
                required = true,
                paramLabel = "CLASS",
                description = "The JobDefinition class in JAR.")
        String className;
    }

    @Option(names = "--detach", description = "Print the job id and return without waiting for the job.")
    boolean detach;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            description = "Stream jobs: the parallelism of every operator (default 2).")
    int parallelism = 2;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description = "Stream jobs: take a checkpoint every DURATION (e.g. 2s); a failed subtask or a lost worker"
                    + " then restarts the job from the latest one, exactly once. Default: no checkpoints.")
    String checkpointInterval;

    @Option(
            names = "--from-savepoint",
            paramLabel = "DIR",
            description = "Stream jobs: start from savepoint DIR (of job savepoint or job stop --savepoint), at this"
                    + " --parallelism; the program must have the same operators. Needs --checkpoint-interval.")
    String fromSavepoint;

    @Option(
            names = "--max-rate",
            paramLabel = "N",
            description = "Stream jobs: the file sources read at most N records a second in all (for demos and tests).")
    long maxRate;

    @Option(
            names = "--state-backend",
            paramLabel = "heap|rocksdb",
            defaultValue = "heap",
            description = "Stream jobs: where keyed state lives: heap (default), or rocksdb for state larger than the"
                    + " workers' heap (incremental checkpoints).")
    String stateBackend;

    @Option(
            names = "--mode",
            paramLabel = "stream|batch",
            description = "Dataflow programs: run as a stream, or in batch mode, stage by stage on the batch"
                    + " runtime (bounded sources only; the program's text file sink is the job's output). Default:"
                    + " the program's own (stream, except batch-only programs such as tpch-qN and terasort).")
    String mode;

    @Option(
            names = "--speculation",
            paramLabel = "on|off",
            description = "Batch jobs: whether stragglers get speculative copies on other workers; default: the"
                    + " cluster's master.speculation (on).")
    String speculation;

    @Option(
            names = "--adaptive",
            paramLabel = "on|off",
            description = "Batch jobs: whether the job adapts while it runs — a running task reading a file gives the"
                    + " rest of its input to a free slot, small partitions are coalesced, a join's skewed partition"
                    + " is split; default: the cluster's master.adaptive (on).")
    String adaptive;

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
            if (className == null)
                throw new CliException("no example named '" + source.example + "'; known: "
                        + String.join(
                                ", ",
                                examples.stringPropertyNames().stream().sorted().toList()));
        } else {
            jar = source.jar.jar;
            className = source.jar.className;
        }
        if (speculation != null && !speculation.equals("on") && !speculation.equals("off"))
            throw new CliException("--speculation must be on or off, got '" + speculation + "'");
        if (adaptive != null && !adaptive.equals("on") && !adaptive.equals("off"))
            throw new CliException("--adaptive must be on or off, got '" + adaptive + "'");
        Map<String, String> params = new LinkedHashMap<>();
        if (speculation != null) params.put(JobGraph.SPECULATION_PARAM, String.valueOf(speculation.equals("on")));
        if (adaptive != null) params.put(JobGraph.ADAPTIVE_PARAM, String.valueOf(adaptive.equals("on")));
        if (mode != null && !mode.equals("stream") && !mode.equals("batch"))
            throw new CliException("--mode must be stream or batch, got '" + mode + "'");
        DataflowJob streamJob = JobLoader.dataflowJob(jar, className);
        boolean batch = mode != null
                ? mode.equals("batch")
                : streamJob != null && streamJob.mode() == dev.cairn.dataflow.RuntimeMode.BATCH;
        if (streamJob != null && batch) {
            String name = source.example != null ? source.example : className;
            return BatchDataflowSubmit.run(streamJob, name, jar, args, parallelism, params, detach, target);
        }
        if (streamJob != null) {
            String name = source.example != null ? source.example : className;
            return StreamSubmit.run(
                    streamJob,
                    name,
                    jar,
                    args,
                    new StreamSubmit.Options(
                            parallelism, maxRate, checkpointInterval, fromSavepoint, stateBackend, detach),
                    target);
        }
        if (fromSavepoint != null) {
            throw new CliException("--from-savepoint is for stream jobs; " + className + " is a batch job");
        }
        JobLoader.Loaded loaded = JobLoader.load(jar, className, args);
        String master = target.resolve();
        for (int failovers = 0; ; failovers++) {
            try (BatchClient client = BatchClient.connect(master, target.security())) {
                JobSpec spec = loaded.spec();
                for (Map.Entry<String, String> p : params.entrySet()) spec = spec.withParam(p.getKey(), p.getValue());
                JobStatus status = client.submit(spec, loaded.jar(), loaded.jarName());
                System.out.printf(
                        "submitted %s (%s) to %s: %d map tasks, %d reduce tasks%n",
                        status.jobId(),
                        status.name(),
                        master,
                        status.stage("map").total(),
                        status.stage("reduce").total());
                if (detach) return 0;
                JobStatus end = JobWaiter.await(client, status.jobId(), System.out);
                return JobWaiter.report(end, System.out, System.err);
            } catch (RpcUnavailableException e) {
                // Jobs do not survive a master fail-over yet: follow the election and run the job again from the start.
                if (!target.followsFailover() || failovers >= MAX_FAILOVERS) throw e;
                System.err.printf(
                        "master %s lost (%s); waiting for a standby to take over, then resubmitting the job from the beginning%n",
                        master, e.getMessage());
                master = target.awaitActive(FAILOVER_WAIT);
            }
        }
    }
}
