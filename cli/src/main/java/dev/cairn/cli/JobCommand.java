package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobStatus;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "job",
        description = "List, inspect and cancel jobs; take savepoints of stream jobs.",
        subcommands = {
            JobCommand.List.class,
            JobCommand.Status.class,
            JobCommand.Cancel.class,
            JobCommand.Savepoint.class,
            JobCommand.Stop.class
        })
final class JobCommand {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    /** Stream jobs' ids start with {@code stream-}; batch jobs' do not. */
    static boolean isStream(String id) {
        return id.startsWith("stream-");
    }

    static class MasterOption {
        @Mixin
        MasterTarget target;
    }

    private static TransportSecurity security(MasterTarget target) {
        try {
            return target.security();
        } catch (java.io.IOException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static String resolve(MasterTarget target) {
        try {
            return target.resolve();
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(e.getMessage());
        }
    }

    @Command(
            name = "list",
            description =
                    "Jobs the master knows, newest last; on a secure cluster only your own unless you are an admin.")
    static final class List extends MasterOption implements Runnable {
        @Override
        public void run() {
            try (BatchClient c = BatchClient.connect(resolve(target), security(target))) {
                System.out.printf(
                        "%-10s %-18s %-12s %-10s %6s %9s  %s%n",
                        "JOB", "NAME", "OWNER", "STATE", "DONE", "SUBMITTED", "OUTPUT");
                for (JobStatus s : c.list()) {
                    System.out.printf(
                            "%-10s %-18s %-12s %-10s %5d%% %9s  %s%n",
                            s.jobId(),
                            s.name(),
                            s.owner(),
                            s.state(),
                            (int) (s.progress() * 100),
                            TIME.format(Instant.ofEpochMilli(s.submitTimeMs())),
                            s.output());
                }
            }
            try (StreamClient c = StreamClient.connect(resolve(target), security(target))) {
                for (StreamJobStatus s : c.list()) {
                    System.out.printf(
                            "%-10s %-18s %-12s %-10s %6s %9s  %s%n",
                            s.jobId(),
                            s.name(),
                            s.owner(),
                            s.state(),
                            s.finishedSubtasks() * 100 / Math.max(1, s.subtasks()) + "%",
                            TIME.format(s.submittedAt()),
                            s.latestCheckpoint()
                                    .map(cp -> "checkpoint " + cp.id())
                                    .orElse("stream"));
                }
            }
        }
    }

    @Command(name = "status", description = "One job: state, per-stage task counts, error.")
    static final class Status extends MasterOption implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public void run() {
            if (isStream(id)) {
                try (StreamClient c = StreamClient.connect(resolve(target), security(target))) {
                    StreamSubmit.print(c.status(id), System.out);
                }
                return;
            }
            try (BatchClient c = BatchClient.connect(resolve(target), security(target))) {
                print(c.status(id));
            }
        }
    }

    @Command(name = "cancel", description = "Cancel a running job; its output directory is never created.")
    static final class Cancel extends MasterOption implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public void run() {
            if (isStream(id)) {
                try (StreamClient c = StreamClient.connect(resolve(target), security(target))) {
                    StreamSubmit.print(c.cancel(id), System.out);
                }
                return;
            }
            try (BatchClient c = BatchClient.connect(resolve(target), security(target))) {
                print(c.cancel(id));
            }
        }
    }

    private static String savepoint(MasterTarget target, String id, String path, boolean stop) {
        if (!isStream(id)) throw new CliException("job " + id + " is a batch job: only stream jobs take savepoints");
        try (StreamClient c = StreamClient.connect(resolve(target), security(target))) {
            // The master resolves the path: make a relative one the caller's.
            String absolute = path == null
                    ? null
                    : java.nio.file.Path.of(path).toAbsolutePath().toString();
            StreamClient.Savepoint sp = c.savepoint(id, absolute, stop);
            return sp.path();
        }
    }

    @Command(
            name = "savepoint",
            description = {
                "Take a savepoint of a running stream job (it needs checkpoints) and print its directory:"
                        + " a checkpoint taken now, copied to <stream.dir>/savepoints/<job>-<checkpoint> or --path.",
                "The job goes on. Resume from it with: submit --from-savepoint DIR ... (any parallelism)."
            })
    static final class Savepoint extends MasterOption implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--path", paramLabel = "DIR", description = "Write the savepoint to DIR (must not exist).")
        String path;

        @Override
        public void run() {
            System.out.println(savepoint(target, id, path, false));
        }
    }

    @Command(
            name = "stop",
            description = {
                "Stop a running stream job with a savepoint: take one (as job savepoint does), then cancel the job;"
                        + " prints the savepoint's directory once no worker runs the job.",
                "Resume it with: submit --from-savepoint DIR ... (the same program, any parallelism; its exactly-once"
                        + " sink writes on into the same output directory)."
            })
    static final class Stop extends MasterOption implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Option(
                names = "--savepoint",
                required = true,
                description = "Take a savepoint before cancelling (required: without it, use job cancel).")
        boolean savepoint;

        @Option(names = "--path", paramLabel = "DIR", description = "Write the savepoint to DIR (must not exist).")
        String path;

        @Override
        public void run() {
            System.out.println(savepoint(target, id, path, true));
        }
    }

    /** Cairn's own counters, e.g. {@code map-records-in=1,000, map-spills=2, ...}. */
    private static String builtIns(JobStatus s) {
        StringBuilder out = new StringBuilder();
        String prefix = dev.cairn.batch.Counter.BUILT_IN_GROUP + ".";
        for (var e : s.counters().entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            if (out.length() > 0) out.append(", ");
            out.append(e.getKey().substring(prefix.length())).append('=').append(String.format("%,d", e.getValue()));
        }
        return out.length() == 0 ? "none yet" : out.toString();
    }

    static void print(JobStatus s) {
        System.out.printf("job %s (%s): %s, %d%%%n", s.jobId(), s.name(), s.state(), (int) (s.progress() * 100));
        System.out.println("  owner: " + s.owner());
        int width = Math.max(
                7, s.stages().stream().mapToInt(st -> st.name().length()).max().orElse(0));
        System.out.printf(
                "  %-" + width + "s %6s %8s %8s %6s %7s %8s %8s %12s %12s %10s%n",
                "STAGE",
                "TOTAL",
                "PENDING",
                "RUNNING",
                "DONE",
                "FAILED",
                "RETRIED",
                "STOPPED",
                "RECORDS-IN",
                "RECORDS-OUT",
                "BYTES-OUT");
        for (StageStatus st : s.stages()) {
            System.out.printf(
                    "  %-" + width + "s %6d %8d %8d %6d %7d %8d %8d %,12d %,12d %10s%n",
                    st.name(),
                    st.total(),
                    st.pending(),
                    st.running(),
                    st.done(),
                    st.failed(),
                    st.retried(),
                    st.stopped(),
                    st.recordsIn(),
                    st.recordsOut(),
                    JobWaiter.bytes(st.bytesOut()));
        }
        if (!s.decisions().isEmpty()) {
            System.out.println("  decisions:");
            for (String d : s.decisions()) System.out.println("    " + d);
        }
        System.out.printf(
                "  records: %,d in, %,d map out, %,d shuffle bytes, %,d out%n",
                s.mapRecordsIn(), s.mapRecordsOut(), s.shuffleBytes(), s.reduceRecordsOut());
        String input = JobWaiter.inputLine(s);
        if (input != null) System.out.println("  " + input);
        System.out.println("  built-in counters: " + builtIns(s));
        String counters = JobWaiter.countersLine(s);
        if (counters != null) System.out.println("  " + counters);
        System.out.println("  output: " + s.output());
        if (!s.error().isEmpty()) System.out.println("  error: " + s.error());
    }
}
