package dev.cairn.cli;

import dev.cairn.common.config.ConfigKey;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StateBackendKind;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobSettings;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.rpc.RpcUnavailableException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code submit} of a stream job ({@link DataflowJob}): builds the program here, where the user's
 * arguments are checked, ships its graph and jar to the stream master, and follows the job until
 * it ends, across a master fail-over (the new master restores the job from its latest checkpoint).
 */
final class StreamSubmit {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(60);

    private StreamSubmit() {}

    /** The command line's stream options. */
    record Options(
            int parallelism,
            long maxRate,
            String checkpointInterval,
            String fromSavepoint,
            String stateBackend,
            boolean detach) {}

    static int run(DataflowJob job, String name, Path jar, List<String> args, Options o, MasterTarget target)
            throws Exception {
        int parallelism = o.parallelism();
        long maxRate = o.maxRate();
        String checkpointInterval = o.checkpointInterval();
        String fromSavepoint = o.fromSavepoint();
        boolean detach = o.detach();
        StateBackendKind backend;
        try {
            backend = StateBackendKind.parse(o.stateBackend());
        } catch (IllegalArgumentException e) {
            throw new CliException("--state-backend: " + e.getMessage());
        }
        if (parallelism < 1) throw new CliException("--parallelism must be at least 1, got " + parallelism);
        if (maxRate < 0) throw new CliException("--max-rate must be >= 0, got " + maxRate);
        StreamJobSettings settings;
        try {
            settings = checkpointInterval == null
                    ? StreamJobSettings.none()
                    : StreamJobSettings.every(ConfigKey.parseDuration(checkpointInterval));
        } catch (IllegalArgumentException e) {
            throw new CliException("--checkpoint-interval: " + e.getMessage());
        }
        // A savepoint in the store (cairn://) is checked by the master, which reaches the store.
        boolean localSavepoint = fromSavepoint != null && FsPaths.scheme(fromSavepoint) == null;
        if (fromSavepoint != null) {
            if (localSavepoint && !Files.isDirectory(Path.of(fromSavepoint)))
                throw new CliException("savepoint " + fromSavepoint + " does not exist");
            if (checkpointInterval == null)
                throw new CliException("--from-savepoint needs --checkpoint-interval: a resumed job takes checkpoints");
        }
        DataflowOptions options = DataflowOptions.defaults()
                .withParallelism(parallelism)
                .withMaxSourceRate(maxRate)
                .withStateBackend(backend);
        if (fromSavepoint != null)
            options = options.withSavepoint(
                    localSavepoint ? Path.of(fromSavepoint).toAbsolutePath().toString() : fromSavepoint);
        Dataflow flow = Dataflow.create(options);
        try {
            job.define(flow, args.toArray(String[]::new));
        } catch (IllegalArgumentException | DataflowException e) {
            throw new CliException(e.getMessage());
        } catch (RuntimeException e) {
            throw new CliException(job.getClass().getName() + ".define failed: " + e, e);
        }
        String master = target.resolve();
        StreamJobStatus submitted;
        try (StreamClient client = StreamClient.connect(master, target.security())) {
            submitted = client.submit(
                    flow, name, Files.readAllBytes(jar), jar.getFileName().toString(), settings);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        if (fromSavepoint != null) System.out.printf("resuming from savepoint %s%n", fromSavepoint);
        System.out.printf(
                "submitted stream job %s (%s) to %s: %d subtasks, parallelism %d, %s%n",
                submitted.jobId(),
                name,
                master,
                submitted.subtasks(),
                parallelism,
                checkpointInterval == null ? "no checkpoints" : "checkpoints every " + checkpointInterval);
        if (detach) {
            System.out.println(submitted.jobId());
            return 0;
        }
        StreamJobStatus end = follow(submitted.jobId(), master, target, System.out);
        return report(end, System.out, System.err);
    }

    /** Polls the job until it ends, printing each change of state, restart count or checkpoint. */
    private static StreamJobStatus follow(String id, String master, MasterTarget target, PrintStream out)
            throws Exception {
        String last = "";
        while (true) {
            StreamJobStatus s;
            try (StreamClient client = StreamClient.connect(master, target.security())) {
                s = client.status(id);
            } catch (RpcUnavailableException e) {
                if (!target.followsFailover()) throw e;
                out.printf(
                        "master %s lost (%s); waiting for the next one, which restores the job%n",
                        master, e.getMessage());
                master = target.awaitActive(FAILOVER_WAIT);
                continue;
            }
            String line = line(s);
            if (!line.equals(last)) {
                out.println(line);
                last = line;
            }
            if (s.state().ended()) return s;
            LockSupport.parkNanos(POLL.toNanos()); // polling a remote status: nothing here decides on time
        }
    }

    static String line(StreamJobStatus s) {
        StringBuilder b = new StringBuilder()
                .append(s.jobId())
                .append(' ')
                .append(s.state())
                .append(": ")
                .append(s.finishedSubtasks())
                .append('/')
                .append(s.subtasks())
                .append(" subtasks finished");
        if (s.restarts() > 0) b.append(", ").append(s.restarts()).append(" restarts");
        s.latestCheckpoint()
                .ifPresent(c -> b.append(", checkpoint ")
                        .append(c.id())
                        .append(" (")
                        .append(String.format("%,d", c.bytes()))
                        .append(" bytes, ")
                        .append(c.duration().toMillis())
                        .append(" ms)"));
        return b.toString();
    }

    static int report(StreamJobStatus s, PrintStream out, PrintStream err) {
        if (s.state() == StreamJobStatus.State.FINISHED) {
            double seconds = s.endedAt()
                    .map(e -> java.time.Duration.between(s.submittedAt(), e).toMillis() / 1e3)
                    .orElse(0.0);
            out.printf(
                    "stream job %s finished in %.1f s: %d checkpoints, %d restarts%n",
                    s.jobId(), seconds, s.completedCheckpoints(), s.restarts());
            return 0;
        }
        err.printf(
                "stream job %s %s: %s%n", s.jobId(), s.state().name().toLowerCase(java.util.Locale.ROOT), s.failure());
        return 1;
    }

    /** {@code job status} of a stream job. */
    static void print(StreamJobStatus s, PrintStream out) {
        out.printf("job:        %s (%s)%n", s.jobId(), s.name());
        out.printf("owner:      %s%n", s.owner());
        out.printf("state:      %s%n", s.state());
        out.printf(
                "subtasks:   %d, %d running, %d finished%n", s.subtasks(), s.runningSubtasks(), s.finishedSubtasks());
        out.printf("run:        %d (%d restarts)%n", s.attempt(), s.restarts());
        if (!s.slotWorkers().isEmpty()) out.printf("slots:      %s%n", String.join(", ", s.slotWorkers()));
        if (s.latestCheckpoint().isPresent()) {
            var c = s.latestCheckpoint().get();
            out.printf(
                    "checkpoint: %d completed at %s, %,d bytes, took %d ms (%d completed in all)%n",
                    c.id(), c.completedAt(), c.bytes(), c.duration().toMillis(), s.completedCheckpoints());
        } else {
            out.println("checkpoint: none completed yet");
        }
        if (!s.failure().isEmpty()) out.printf("failure:    %s%n", s.failure());
        if (s.operators().isEmpty()) return;
        out.printf(
                "%n%-32s %3s %14s %14s %11s %11s  %-24s %s%n",
                "OPERATOR", "P", "RECORDS IN", "RECORDS OUT", "IN/S", "OUT/S", "WATERMARK", "BACKPRESSURE");
        for (StreamJobStatus.Operator o : s.operators()) {
            out.printf(
                    "%-32s %3d %,14d %,14d %,11.0f %,11.0f  %-24s %s%n",
                    abbreviate(o.name(), 32),
                    o.parallelism(),
                    o.recordsIn(),
                    o.recordsOut(),
                    o.recordsInPerSecond(),
                    o.recordsOutPerSecond(),
                    o.watermark().map(StreamSubmit::watermark).orElse("-"),
                    backpressure(o.backpressure()));
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String watermark(long w) {
        if (w == Long.MAX_VALUE) return "end of input";
        return java.time.Instant.ofEpochMilli(w).toString();
    }

    /** As Flink's web UI grades it: OK below 10%, LOW below 50%, else HIGH. */
    static String backpressure(double ratio) {
        String grade = ratio < 0.1 ? "OK" : ratio < 0.5 ? "LOW" : "HIGH";
        return String.format("%s (%.0f%%)", grade, ratio * 100);
    }
}
