package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.cli.internal.CorpusGenerator;
import dev.cairn.common.io.FileTrees;
import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigKey;
import dev.cairn.node.LocalCluster;
import dev.cairn.node.NodeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", description = {
        "Start an embedded cluster (a master and two workers in this JVM, talking RPC over loopback),",
        "generate a word-count corpus, count its words, and show the ten most frequent."})
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "256m", paramLabel = "SIZE", description = "Corpus size, e.g. 64m, 1g (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--seed", defaultValue = "42", description = "Corpus seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--workers", defaultValue = "2", description = "Workers in the embedded cluster (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the corpus, output and node files go (default: ~/.cairn/quickstart).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        long bytes = ConfigKey.parseSize(size);
        if (bytes <= 0) throw new CliException("--size must be positive");
        if (workers < 1) throw new CliException("--workers must be at least 1");
        if (dir == null) dir = Path.of(System.getProperty("user.home"), ".cairn", "quickstart");
        dir = dir.toAbsolutePath();
        Files.createDirectories(dir);
        long t0 = System.nanoTime();

        Path corpus = dir.resolve("corpus-" + size + "-" + seed + ".txt");
        if (Files.exists(corpus)) {
            System.out.printf("corpus: %s (%,d bytes, already generated)%n", corpus, Files.size(corpus));
        } else {
            ProgressLine line = new ProgressLine("generating corpus", bytes);
            new CorpusGenerator(100_000).write(corpus, bytes, seed, line::update);
            line.done();
            System.out.printf("corpus: %s (%,d bytes)%n", corpus, Files.size(corpus));
        }

        Path output = dir.resolve("wordcount-out");
        FileTrees.deleteRecursively(output);
        Path clusterDir = dir.resolve("cluster");
        FileTrees.deleteRecursively(clusterDir);
        int slots = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        long t1 = System.nanoTime();
        JobStatus end;
        try (LocalCluster cluster = LocalCluster.start(clusterDir, workers, slots, Config.defaults(NodeConfig.DEF));
             BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            System.out.printf("embedded cluster: master %s, %d workers x %d slots, coord (ZooKeeper protocol) at %s%n", cluster.masterEndpoint(), workers, slots, cluster.coordConnect());
            Path jar = CairnHome.examplesJar();
            JobLoader.Loaded job = JobLoader.load(jar, "dev.cairn.examples.WordCount", List.of(corpus.toString(), output.toString()));
            JobStatus submitted = client.submit(job.spec(), job.jar(), job.jarName());
            System.out.printf("running wordcount as %s: %d map tasks, %d reduce tasks%n", submitted.jobId(),
                    submitted.stage("map").total(), submitted.stage("reduce").total());
            end = JobWaiter.await(client, submitted.jobId(), System.out);
        }
        if (end.state() != JobState.SUCCEEDED) return JobWaiter.report(end, System.out, System.err);
        long t2 = System.nanoTime();

        System.out.println();
        System.out.println("top 10 words:");
        for (String[] w : topWords(output, 10)) System.out.printf("  %-12s %,15d%n", w[0], Long.parseLong(w[1]));
        System.out.println();
        System.out.printf("wordcount: %.1f s (%,d words, %,d distinct); total with setup: %.1f s%n", (t2 - t1) / 1e9,
                end.mapRecordsOut(), end.reduceRecordsOut(), (t2 - t0) / 1e9);
        System.out.println("output: " + output);
        return 0;
    }

    static List<String[]> topWords(Path output, int n) throws IOException {
        PriorityQueue<String[]> top = new PriorityQueue<>(Comparator.comparingLong((String[] a) -> Long.parseLong(a[1])));
        List<Path> parts;
        try (Stream<Path> s = Files.list(output)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        for (Path p : parts) {
            try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                for (String l; (l = r.readLine()) != null; ) {
                    int tab = l.lastIndexOf('\t');
                    top.add(new String[] {l.substring(0, tab), l.substring(tab + 1)});
                    if (top.size() > n) top.poll();
                }
            }
        }
        List<String[]> out = new ArrayList<>(top);
        out.sort(Comparator.comparingLong((String[] a) -> Long.parseLong(a[1])).reversed());
        return out;
    }

    /** A one-line progress display for corpus generation. */
    private static final class ProgressLine {
        private final String what;
        private final long total;
        private final boolean terminal = System.console() != null;
        private int lastPercent = -1;

        ProgressLine(String what, long total) {
            this.what = what;
            this.total = total;
        }

        void update(long done) {
            int percent = (int) Math.min(100, done * 100 / total);
            if (percent == lastPercent || (!terminal && percent % 25 != 0)) return;
            lastPercent = percent;
            String bar = "#".repeat(percent * 30 / 100) + " ".repeat(30 - percent * 30 / 100);
            if (terminal) System.out.print("\r" + what + " [" + bar + "] " + percent + "%");
            else System.out.println(what + " [" + bar + "] " + percent + "%");
        }

        void done() {
            if (terminal) System.out.println();
        }
    }
}
