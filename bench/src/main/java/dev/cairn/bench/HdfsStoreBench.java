package dev.cairn.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The HDFS side of {@code bench/store.sh}: copies a local file into HDFS and back, timed, on a
 * {@link MiniDFSCluster} (one NameNode and {@code --datanodes} DataNodes in this JVM, talking over
 * loopback TCP like separate processes would), so that Cairn's store is measured against HDFS on
 * the same machine, disk and data in the same run.
 *
 * <h2>What is timed</h2>
 * <ul>
 *   <li><b>put</b>: from {@code FileSystem.create} to the return of {@code close()} of a copy of
 *       {@code --file} through a {@code --buffer} byte array. {@code close()} returns once the last
 *       packet is acknowledged by the whole pipeline and the NameNode has completed the file.</li>
 *   <li><b>get</b>: from {@code FileSystem.open} to the close of a local {@code --back} file the
 *       bytes were copied into (not fsynced; {@code cairn fs get} does not fsync either).</li>
 * </ul>
 * Starting the cluster, the {@code sync} run before each put, dropping caches before each get
 * ({@code --drop-caches}) and checking the SHA-256 of what came back are not timed.
 *
 * <h2>Durability modes</h2>
 * HDFS acknowledges a packet once DataNodes have handed it to the operating system; by default
 * no DataNode fsyncs a block ({@code dfs.datanode.synconclose=false}), so a put may finish with
 * its bytes only in page caches. Cairn's store fsyncs every replica of every block before
 * acknowledging it. {@code --modes} picks which HDFS puts to measure:
 * <ul>
 *   <li>{@code default}: HDFS as configured out of the box (no fsync of blocks).</li>
 *   <li>{@code sync-block}: the file is created with {@link CreateFlag#SYNC_BLOCK}, so every
 *       DataNode fsyncs each block's data and checksum file when the block is complete, before
 *       acknowledging its last packet — the durability Cairn gives.</li>
 * </ul>
 * In both modes the NameNode's edit log is fsynced (MiniDFSCluster skips that unless told not
 * to; a real NameNode does not).
 *
 * <h2>Output</h2>
 * Diagnostics go to standard error; standard output gets one line per round and mode, e.g.
 * <pre>hdfs round=1 mode=default bytes=268435456 put_s=1.204 put_mb_s=223.0 get_s=0.611 get_mb_s=439.3 min_replicas=3 sha256_ok=true</pre>
 * ({@code min_replicas}: the fewest DataNodes any block of the file was on after the put.)
 * Exit status 0 when every file came back intact with full replication, 1 otherwise, 4 if the
 * run overran {@code --timeout}.
 */
@Command(
        name = "HdfsStoreBench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Times put and get of a local file on a MiniDFSCluster; prints one hdfs line per round and mode.")
public final class HdfsStoreBench implements Callable<Integer> {
    @Option(names = "--file", required = true, paramLabel = "FILE", description = "Local file to put.")
    Path file;

    @Option(
            names = "--base-dir",
            required = true,
            paramLabel = "DIR",
            description = "Where the cluster keeps its NameNode and DataNode directories (formatted first).")
    Path baseDir;

    @Option(
            names = "--back",
            required = true,
            paramLabel = "FILE",
            description = "Local file each get writes (replaced every round).")
    Path back;

    @Option(
            names = "--datanodes",
            defaultValue = "3",
            paramLabel = "N",
            description = "DataNodes (default ${DEFAULT-VALUE}).")
    int datanodes;

    @Option(
            names = "--replication",
            defaultValue = "3",
            paramLabel = "R",
            description = "Replicas per block (default ${DEFAULT-VALUE}).")
    short replication;

    @Option(
            names = "--block-size",
            defaultValue = "64m",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "Block size (default ${DEFAULT-VALUE}, as Cairn's).")
    long blockSize;

    @Option(
            names = "--buffer",
            defaultValue = "1m",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "Copy buffer (default ${DEFAULT-VALUE}, as cairn fs put/get).")
    long buffer;

    @Option(
            names = "--modes",
            defaultValue = "default,sync-block",
            split = ",",
            paramLabel = "MODE",
            description = "default and/or sync-block (default ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            paramLabel = "N",
            description = "Rounds; each puts and gets once per mode (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--sha256", paramLabel = "HEX", description = "SHA-256 of --file, if known (else computed first).")
    String sha256;

    @Option(
            names = "--drop-caches",
            description = "Drop the page cache before each get (needs write access to /proc/sys/vm/drop_caches).")
    boolean dropCaches;

    @Option(
            names = "--timeout",
            defaultValue = "1800",
            paramLabel = "SECONDS",
            description = "Give up after this long (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // The NameNode and DataNodes log every block at INFO; keep standard error for what matters.
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.exit(new CommandLine(new HdfsStoreBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        for (String m : modes) {
            if (!m.equals("default") && !m.equals("sync-block"))
                throw new CommandLine.ParameterException(cmd, "unknown mode '" + m + "'");
        }
        if (repeat < 1) throw new CommandLine.ParameterException(cmd, "--repeat must be at least 1");
        if (buffer < 1 || buffer > 1 << 30)
            throw new CommandLine.ParameterException(cmd, "--buffer must be between 1 byte and 1g");
        startWatchdog();
        int bufferBytes = (int) buffer;
        long size = Files.size(file);
        String expected = sha256 != null ? sha256.toLowerCase(Locale.ROOT) : sha256(file);

        Configuration conf = new Configuration();
        conf.setLong("dfs.blocksize", blockSize);
        conf.setInt("dfs.replication", replication);
        // Stated rather than inherited: the "default" mode is meant to be HDFS's shipped behaviour.
        conf.setBoolean("dfs.datanode.synconclose", false);
        conf.set("hadoop.tmp.dir", baseDir.resolve("tmp").toString());
        long t0 = System.nanoTime();
        // One storage directory per DataNode, as a Cairn store node has by default; the NameNode's edit
        // log fsynced as on a real cluster.
        try (MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile())
                .numDataNodes(datanodes)
                .storagesPerDatanode(1)
                .skipFsyncForTesting(false)
                .format(true)
                .build()) {
            cluster.waitActive();
            System.err.printf(
                    Locale.ROOT,
                    "hdfs: MiniDFSCluster with %d datanodes up in %.1f s under %s%n",
                    datanodes,
                    (System.nanoTime() - t0) / 1e9,
                    baseDir);
            FileSystem fs = cluster.getFileSystem();
            boolean allOk = true;
            for (int round = 1; round <= repeat; round++) {
                // Alternate the order of the modes, so that drift in the machine's load favours neither.
                List<String> order = new ArrayList<>(modes);
                if (round % 2 == 0) Collections.reverse(order);
                for (String mode : order) {
                    org.apache.hadoop.fs.Path path =
                            new org.apache.hadoop.fs.Path("/bench-" + mode + "-" + round + ".bin");
                    EnumSet<CreateFlag> flags = EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE);
                    if (mode.equals("sync-block")) flags.add(CreateFlag.SYNC_BLOCK);

                    syncFileSystems();
                    long p0 = System.nanoTime();
                    try (InputStream in = Files.newInputStream(file);
                            OutputStream out = fs.create(
                                    path,
                                    FsPermission.getFileDefault(),
                                    flags,
                                    bufferBytes,
                                    replication,
                                    blockSize,
                                    null)) {
                        copy(in, out, bufferBytes);
                    }
                    long p1 = System.nanoTime();
                    int minReplicas = Integer.MAX_VALUE;
                    for (BlockLocation b : fs.getFileBlockLocations(path, 0, size))
                        minReplicas = Math.min(minReplicas, b.getHosts().length);
                    if (size == 0) minReplicas = replication;

                    if (dropCaches) dropPageCache();
                    long g0 = System.nanoTime();
                    try (InputStream in = fs.open(path, bufferBytes);
                            OutputStream out = Files.newOutputStream(back)) {
                        copy(in, out, bufferBytes);
                    }
                    long g1 = System.nanoTime();
                    boolean intact = sha256(back).equals(expected);
                    fs.delete(path, false);

                    double put = (p1 - p0) / 1e9;
                    double get = (g1 - g0) / 1e9;
                    System.out.printf(
                            Locale.ROOT,
                            "hdfs round=%d mode=%s bytes=%d put_s=%.3f put_mb_s=%.1f get_s=%.3f get_mb_s=%.1f min_replicas=%d sha256_ok=%s%n",
                            round,
                            mode,
                            size,
                            put,
                            size / 1e6 / put,
                            get,
                            size / 1e6 / get,
                            minReplicas,
                            intact);
                    System.out.flush();
                    if (!intact) System.err.println("error: hdfs: " + back + " differs from " + file + " (SHA-256)");
                    if (minReplicas < replication)
                        System.err.printf("error: hdfs: a block of %s has only %d replicas%n", path, minReplicas);
                    allOk &= intact && minReplicas >= replication;
                }
            }
            return allOk ? 0 : 1;
        }
    }

    private static void copy(InputStream in, OutputStream out, int bufferBytes) throws IOException {
        byte[] buf = new byte[bufferBytes];
        for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
    }

    static String sha256(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Writes back dirty pages of earlier steps (e.g. the previous default-mode put, whose blocks were
     * never fsynced) before a put is timed, so that their write-back does not land in its interval;
     * bench/store.sh does the same before dd and before Cairn's puts.
     */
    private static void syncFileSystems() throws IOException, InterruptedException {
        int rc = new ProcessBuilder("sync").inheritIO().start().waitFor();
        if (rc != 0) throw new IOException("sync exited with status " + rc);
    }

    private static void dropPageCache() throws IOException, InterruptedException {
        syncFileSystems();
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n", StandardCharsets.US_ASCII);
    }

    private void startWatchdog() {
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep(timeoutSeconds * 1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.printf("error: hdfs: run did not finish within %d s; giving up%n", timeoutSeconds);
                    System.err.flush();
                    Runtime.getRuntime().halt(4);
                },
                "hdfs-bench-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
