package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.cli.internal.CorpusGenerator;
import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigKey;
import dev.cairn.common.io.FileTrees;
import dev.cairn.node.LocalCluster;
import dev.cairn.node.NodeConfig;
import dev.cairn.store.FileStatus;
import dev.cairn.store.StoreClient;
import dev.cairn.store.WriteOptions;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "quickstart",
        description = {
            "Start an embedded cluster (a master and two workers in this JVM, talking RPC over loopback; the workers",
            "hold the distributed store), generate a word-count corpus, put it into the store, count its words there",
            "and show the ten most frequent. With --stream: run Nexmark Q7 as a stream job with exactly-once checkpoints",
            "on an embedded cluster, showing its progress and results live."
        })
final class QuickstartCommand implements Callable<Integer> {
    static final String STORE_CORPUS = "cairn:///quickstart/corpus.txt";
    static final String STORE_OUTPUT = "cairn:///quickstart/wordcount-out";
    /** Half the store's default, so that even a 64 MiB corpus keeps both workers busy. */
    private static final long BLOCK_SIZE = 32L << 20;

    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);

    @Option(
            names = "--size",
            defaultValue = "256m",
            paramLabel = "SIZE",
            description = "Corpus size, e.g. 64m, 1g (default ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--seed", defaultValue = "42", description = "Corpus seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Workers in the embedded cluster (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Where the corpus, output and node files go (default: ~/.cairn/quickstart).")
    Path dir;

    @Option(
            names = "--stream",
            description = "Run a stream job instead: Nexmark Q7 over generated events, results shown as they commit.")
    boolean stream;

    @Option(
            names = "--events",
            defaultValue = "2000000",
            description = "With --stream: events to generate (default ${DEFAULT-VALUE}).")
    long events;

    @Option(
            names = "--rate",
            defaultValue = "200000",
            description = "With --stream: events per second the sources emit at most (default ${DEFAULT-VALUE}).")
    long rate;

    @Override
    public Integer call() throws Exception {
        if (stream) {
            if (events < 1) throw new CliException("--events must be positive");
            if (rate < 1) throw new CliException("--rate must be positive");
            if (workers < 1) throw new CliException("--workers must be at least 1");
            Path base = (dir == null ? Path.of(System.getProperty("user.home"), ".cairn", "quickstart") : dir)
                    .toAbsolutePath();
            Files.createDirectories(base);
            return StreamQuickstart.run(base, workers, events, rate);
        }
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

        Path localCopy = dir.resolve("wordcount-out");
        FileTrees.deleteRecursively(localCopy);
        Path clusterDir = dir.resolve("cluster");
        FileTrees.deleteRecursively(clusterDir);
        int slots = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        JobStatus end;
        List<String[]> top;
        long t1;
        long t2;
        try (LocalCluster cluster = LocalCluster.start(clusterDir, workers, slots, Config.defaults(NodeConfig.DEF));
                BatchClient client = BatchClient.connect(cluster.masterEndpoint());
                StoreClient store = StoreClient.connect(cluster.coordConnect(), null, STORE_TIMEOUT)) {
            System.out.printf(
                    "embedded cluster: master %s, %d workers x %d slots (store nodes too), coord (ZooKeeper protocol) at %s%n",
                    cluster.masterEndpoint(), workers, slots, cluster.coordConnect());
            System.out.printf("dashboard: %s (while the job runs)%n", cluster.dashboardUrl());
            putCorpus(store, corpus, Math.min(WriteOptions.DEFAULT_REPLICATION, workers));

            t1 = System.nanoTime();
            Path jar = CairnHome.examplesJar();
            JobLoader.Loaded job =
                    JobLoader.load(jar, "dev.cairn.examples.WordCount", List.of(STORE_CORPUS, STORE_OUTPUT));
            JobStatus submitted = client.submit(job.spec(), job.jar(), job.jarName());
            System.out.printf(
                    "running wordcount %s -> %s as %s: %d map tasks, %d reduce tasks%n",
                    STORE_CORPUS,
                    STORE_OUTPUT,
                    submitted.jobId(),
                    submitted.stage("map").total(),
                    submitted.stage("reduce").total());
            end = JobWaiter.await(client, submitted.jobId(), System.out);
            if (end.state() != JobState.SUCCEEDED) return JobWaiter.report(end, System.out, System.err);
            t2 = System.nanoTime();
            // The store goes when the embedded cluster stops: read the counts from it, keeping a local copy.
            top = topWords(store, STORE_OUTPUT, localCopy, 10);
        }

        System.out.println();
        System.out.println("top 10 words:");
        for (String[] w : top) System.out.printf("  %-12s %,15d%n", w[0], Long.parseLong(w[1]));
        System.out.println();
        System.out.printf(
                "wordcount: %.1f s (%,d words, %,d distinct); total with setup: %.1f s%n",
                (t2 - t1) / 1e9, end.mapRecordsOut(), end.reduceRecordsOut(), (t2 - t0) / 1e9);
        String input = JobWaiter.inputLine(end);
        if (input != null) System.out.println(input);
        System.out.println("output: " + end.output() + " in the embedded cluster's store; copied to " + localCopy);
        return 0;
    }

    /** Copies the corpus into the store, where the job reads it block by block on the nodes holding each. */
    private static void putCorpus(StoreClient store, Path corpus, int replication) throws IOException {
        long size = Files.size(corpus);
        long start = System.nanoTime();
        try (InputStream in = Files.newInputStream(corpus);
                OutputStream out = store.create(STORE_CORPUS, new WriteOptions(replication, BLOCK_SIZE, false))) {
            FsCommand.copy(in, out, size, System.err);
        }
        System.out.printf(
                "corpus put into the store as %s: %d blocks of %s, %d replicas each, in %.1f s%n",
                STORE_CORPUS,
                store.stat(STORE_CORPUS).blocks().size(),
                JobWaiter.bytes(BLOCK_SIZE),
                replication,
                (System.nanoTime() - start) / 1e9);
    }

    /** The {@code n} most frequent words of the job's part files in the store; copies every output file to {@code copy}. */
    static List<String[]> topWords(StoreClient store, String output, Path copy, int n) throws IOException {
        PriorityQueue<String[]> top =
                new PriorityQueue<>(Comparator.comparingLong((String[] a) -> Long.parseLong(a[1])));
        Files.createDirectories(copy);
        for (FileStatus f : store.list(output)) {
            String name = f.path().substring(f.path().lastIndexOf('/') + 1);
            if (f.directory()) continue;
            try (InputStream in = store.open(f.path());
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    BufferedWriter w = Files.newBufferedWriter(copy.resolve(name), StandardCharsets.UTF_8)) {
                for (String l; (l = r.readLine()) != null; ) {
                    w.write(l);
                    w.write('\n');
                    if (!name.startsWith("part-")) continue;
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
        private final boolean terminal = ProgressBar.onTerminal();
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
