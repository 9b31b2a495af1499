package dev.cairn.cli;

import dev.cairn.common.config.Config;
import dev.cairn.common.io.FileTrees;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobSettings;
import dev.cairn.dataflow.StreamJobStatus;
import dev.cairn.dataflow.nexmark.NexmarkEventGenerator;
import dev.cairn.dataflow.nexmark.NexmarkQueries;
import dev.cairn.node.LocalCluster;
import dev.cairn.node.NodeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code quickstart --stream}: Nexmark Q7 (the highest bid of every 10 s window of event time) over
 * events generated in the job, on an embedded cluster of a master and two workers, with
 * exactly-once checkpoints every second. While it runs it shows, once a second, how far the
 * sources are, the operators' rates, the last checkpoint and the newest committed results.
 */
final class StreamQuickstart {
    private static final Duration POLL = Duration.ofSeconds(1);

    private StreamQuickstart() {}

    static int run(Path dir, int workers, long events, long rate) throws Exception {
        Path out = dir.resolve("stream-q7-out");
        FileTrees.deleteRecursively(out);
        Path clusterDir = dir.resolve("stream-cluster");
        FileTrees.deleteRecursively(clusterDir);
        Dataflow flow =
                Dataflow.create(DataflowOptions.defaults().withParallelism(2).withMaxSourceRate(rate));
        NexmarkQueries.q7(flow.nexmark(NexmarkEventGenerator.Settings.of(events, 42)))
                .writeAsTextExactlyOnce(out);
        try (LocalCluster cluster = LocalCluster.start(clusterDir, workers, 1, Config.defaults(NodeConfig.DEF));
                StreamClient client = StreamClient.connect(cluster.masterEndpoint())) {
            System.out.printf(
                    "embedded cluster: master %s, %d workers; Nexmark Q7 (highest bid per 10 s window) over %,d generated"
                            + " events at %,d events/s, parallelism 2, checkpoints every second%n",
                    cluster.masterEndpoint(), workers, events, rate);
            StreamJobStatus status = submit(client, flow);
            System.out.printf("running %s; results are committed to %s at each checkpoint%n%n", status.jobId(), out);
            long shown = 0;
            while (!status.state().ended()) {
                LockSupport.parkNanos(POLL.toNanos()); // a display refresh: nothing decides on it
                status = client.status(status.jobId());
                System.out.println(progress(status, events));
                List<String> committed = committed(out);
                for (long i = shown; i < committed.size(); i++)
                    System.out.println("    committed: " + committed.get((int) i));
                shown = committed.size();
            }
            if (status.state() != StreamJobStatus.State.FINISHED) {
                System.err.printf("stream job %s %s: %s%n", status.jobId(), status.state(), status.failure());
                return 1;
            }
            System.out.printf(
                    "%nfinished: %d windows committed exactly once, %d checkpoints; output in %s (window end, auction,"
                            + " bidder, price)%n",
                    committed(out).size(), status.completedCheckpoints(), out);
            return 0;
        }
    }

    private static StreamJobStatus submit(StreamClient client, Dataflow flow) {
        // The workers register within moments of the cluster's start: retry while the master has no slots for the job.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return client.submit(
                        flow,
                        "quickstart-nexmark-q7",
                        new byte[0],
                        "(cairn's own classes)",
                        StreamJobSettings.every(Duration.ofSeconds(1)));
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) throw e;
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }
    }

    private static String progress(StreamJobStatus s, long events) {
        StringBuilder b = new StringBuilder().append(s.state());
        for (StreamJobStatus.Operator o : s.operators()) {
            if (o.name().equals("Nexmark")) {
                b.append(String.format(
                        "  events %,d/%,d (%.0f%%) at %,.0f/s",
                        o.recordsOut(), events, 100.0 * o.recordsOut() / events, o.recordsOutPerSecond()));
            }
        }
        s.latestCheckpoint()
                .ifPresent(c -> b.append(String.format(
                        "  checkpoint %d (%,d bytes, %d ms)",
                        c.id(), c.bytes(), c.duration().toMillis())));
        if (s.restarts() > 0) b.append("  restarts ").append(s.restarts());
        return b.toString();
    }

    /** The committed result lines, sorted (window end first). */
    private static List<String> committed(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(out)) return lines;
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
        lines.sort(null);
        return lines;
    }
}
