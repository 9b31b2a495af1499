package dev.cairn.bench;

import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;
import dev.cairn.common.security.SecurityLayout;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.data.Stat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Closed-loop load generator for any ZooKeeper-protocol service (Apache ZooKeeper, Cairn's coord),
 * driven by the stock {@link ZooKeeper} client and its asynchronous API.
 *
 * <h2>What it does</h2>
 * <ol>
 *   <li>Opens {@code --sessions} sessions, session {@code i} to server {@code i mod S} of the
 *       {@code --connect} list (round-robin, so sessions spread evenly and the same way on every run;
 *       the stock client would pick a random server). Each session has exactly that one server, so
 *       it does not fail over: a benchmark should not silently move its load.</li>
 *   <li>Creates {@code --keys} znodes {@code ROOT/k000000...} holding {@code --value-size} bytes
 *       (existing ones are overwritten with such a value), pipelined through the first session.</li>
 *   <li>Keeps {@code --pipeline} requests outstanding per session: each completion issues the next
 *       request from the callback. A request is a {@code getData} (probability {@code --read-ratio})
 *       or a {@code setData} with version -1 (otherwise) of a key chosen uniformly at random; every
 *       session draws from its own random stream seeded from {@code --seed}.</li>
 *   <li>Runs {@code --warmup} seconds unmeasured, then {@code --duration} seconds measured, then stops
 *       issuing, drains outstanding requests and closes the sessions.</li>
 * </ol>
 *
 * <p>With {@code --security DIR} (a secured Cairn cluster's security directory) every session and
 * the {@code srvr} probe connect over mutual TLS as the cluster's admin ({@code DIR/users/admin.pem},
 * trusting {@code DIR/ca.pem}), with ZooKeeper's documented client properties in a
 * {@link ZKClientConfig} per session, never in System properties.
 *
 * <h2>What is measured</h2>
 * Latency is the time from handing a request to the client library ({@code System.nanoTime()} just
 * before the async call) to its callback, so it includes client queueing, the network round trip and
 * the server's work (for writes: replication and fsync on a quorum). The benchmark is closed-loop:
 * latencies are those of requests actually issued, not corrected for coordinated omission. Each session
 * records into its own HdrHistogram {@link Recorder}s (one for reads, one for writes); the recorders
 * are reset when the warmup ends and read when the measurement ends, and the per-session interval
 * histograms are merged. Throughput is the number of successful requests that completed inside the
 * measured interval divided by its length, reported separately for reads and writes. Failed requests
 * (any non-OK result code) are counted as errors, not recorded as latencies, and retried after 10 ms.
 *
 * <h2>Output</h2>
 * Progress and diagnostics go to standard error; standard output gets exactly one line of
 * space-separated {@code key=value} pairs starting with {@code zkload}:
 * <pre>zkload label=zk sessions=64 pipeline=1 value_size=128 read_ratio=0.00 keys=1000 seconds=10.00
 *   reads_per_s=0.0 writes_per_s=5123.4 read_p50_us=- read_p99_us=- read_p999_us=-
 *   write_p50_us=11800.0 write_p99_us=20100.0 write_p999_us=25000.0 errors=0</pre>
 * (one line in reality). Percentiles of a kind with no completed requests are {@code -}. With
 * {@code --cpu-pids} the line ends with the CPU seconds (user + system) spent over the measured
 * interval by this client ({@code cpu_client_s}), by the listed processes together
 * ({@code cpu_servers_s}) and by each ({@code cpu_s_PID}): where a change of setup (say, TLS)
 * puts its extra CPU.
 *
 * <h2>Exit status</h2>
 * 0 after a measured run; 1 if no request succeeded in the measured interval; 2 if a session could not
 * connect within {@code --connect-timeout}; 3 if the keys could not be created; 4 if the whole run
 * overran its time bound (connect timeout + setup timeout + warmup + duration + 30 s).
 */
@Command(
        name = "ZkLoad",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Closed-loop getData/setData load on a ZooKeeper-protocol service with the stock client; prints one zkload line.")
public final class ZkLoad implements Callable<Integer> {
    @Option(
            names = "--connect",
            required = true,
            paramLabel = "HOST:PORT,...",
            description = "Servers; session i uses server i mod count.")
    String connect;

    @Option(
            names = "--sessions",
            defaultValue = "1",
            paramLabel = "N",
            description = "Client sessions (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(
            names = "--pipeline",
            defaultValue = "1",
            paramLabel = "D",
            description = "Outstanding requests per session (default ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(
            names = "--value-size",
            defaultValue = "128",
            paramLabel = "BYTES",
            description = "Bytes per znode value (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(
            names = "--read-ratio",
            defaultValue = "0.5",
            paramLabel = "R",
            description = "Fraction of getData requests, 0..1; the rest are setData (default ${DEFAULT-VALUE}).")
    double readRatio;

    @Option(
            names = "--keys",
            defaultValue = "1000",
            paramLabel = "K",
            description = "Znodes read and written (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(
            names = "--duration",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description = "Measured seconds (default ${DEFAULT-VALUE}).")
    double duration;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            paramLabel = "SECONDS",
            description = "Unmeasured seconds before (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
            names = "--label",
            defaultValue = "zk",
            paramLabel = "NAME",
            description = "Name of the system under test, echoed in the output (default ${DEFAULT-VALUE}).")
    String label;

    @Option(
            names = "--root",
            defaultValue = "/zkload",
            paramLabel = "PATH",
            description = "Parent znode of the keys (default ${DEFAULT-VALUE}).")
    String root;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of key choice, read/write choice and value bytes (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--session-timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "ZooKeeper session timeout (default ${DEFAULT-VALUE}).")
    int sessionTimeout;

    @Option(
            names = "--connect-timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "Give up if a session is not connected by then (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Option(
            names = "--first-server",
            defaultValue = "listed",
            paramLabel = "ROLE",
            description =
                    "Which server session 0 uses (and the round-robin starts at): listed (the first in --connect), follower or leader, "
                            + "asked with the four-letter word srvr; with one session this decides whether changes are forwarded (default ${DEFAULT-VALUE}).")
    String firstServer;

    @Option(
            names = "--security",
            paramLabel = "DIR",
            description =
                    "A secured Cairn cluster's security dir: connect over mutual TLS as admin (DIR/users/admin.pem, trusting "
                            + "DIR/ca.pem), the way Cairn's own coord clients do (default: plain TCP).")
    Path security;

    @Option(
            names = "--cpu-pids",
            split = ",",
            paramLabel = "PID",
            description =
                    "Processes (the servers) whose CPU time over the measured interval is reported beside this client's: "
                            + "cpu_client_s and cpu_servers_s (their sum) from /proc/PID/stat (default: none, no cpu fields).")
    List<Long> cpuPids = new ArrayList<>();

    @Option(
            names = "--setup-timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "Give up if the keys are not created by then (default ${DEFAULT-VALUE}).")
    double setupTimeout;

    private static final long RETRY_DELAY_MS = 10;
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final LongAdder errors = new LongAdder();
    private final Map<KeeperException.Code, LongAdder> errorsByCode = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean running = true;
    private ScheduledExecutorService retries;
    private String[] paths;
    private byte[] value;

    public static void main(String[] args) {
        // The ZooKeeper client logs every connection at INFO and every failed connection attempt with a
        // stack trace; keep standard error readable (failed requests are counted by result code instead).
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty(
                "org.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn",
                System.getProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn", "error"));
        System.exit(new CommandLine(new ZkLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        startWatchdog();
        List<String> servers = rotateToRole(servers(connect), firstServer);
        if (servers == null) return 2;
        SplittableRandom seeds = new SplittableRandom(seed);
        value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++) value[i] = (byte) ('a' + seeds.nextInt(26));
        paths = new String[keys];
        for (int i = 0; i < keys; i++) paths[i] = root + String.format(Locale.ROOT, "/k%06d", i);
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zkload-retry");
            t.setDaemon(true);
            return t;
        });

        List<Session> all = new ArrayList<>();
        try {
            if (!open(servers, seeds, all)) return 2;
            if (!createKeys(all.getFirst().zk)) return 3;

            System.err.printf(
                    Locale.ROOT,
                    "%s: %d sessions x %d outstanding, read ratio %.2f, %d keys of %d B, warmup %.1f s, measuring %.1f s%n",
                    label,
                    sessions,
                    pipeline,
                    readRatio,
                    keys,
                    valueSize,
                    warmup,
                    duration);
            for (Session s : all) for (int i = 0; i < pipeline; i++) s.issue();
            sleepSeconds(warmup);
            // The interval starts and ends at the middle of the loops that reset and read the recorders.
            long t0 = System.nanoTime();
            long[] cpu0 = cpuTicks();
            for (Session s : all) s.reset();
            long errors0 = errors.sum();
            t0 = t0 + (System.nanoTime() - t0) / 2;
            sleepSeconds(duration - (System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            List<Histogram> intervals = new ArrayList<>();
            for (Session s : all) {
                intervals.add(s.reads.getIntervalHistogram());
                intervals.add(s.writes.getIntervalHistogram());
            }
            long[] cpu1 = cpuTicks();
            long measuredErrors = errors.sum() - errors0;
            t1 = t1 + (System.nanoTime() - t1) / 2;
            running = false;
            Histogram reads = new Histogram(3);
            Histogram writes = new Histogram(3);
            for (int i = 0; i < intervals.size(); i++) (i % 2 == 0 ? reads : writes).add(intervals.get(i));
            drain();

            double seconds = (t1 - t0) / 1e9;
            System.out.println(String.join(
                            " ",
                            "zkload",
                            "label=" + label,
                            "sessions=" + sessions,
                            "pipeline=" + pipeline,
                            "value_size=" + valueSize,
                            fmt("read_ratio=%.2f", readRatio),
                            "keys=" + keys,
                            fmt("seconds=%.2f", seconds),
                            fmt("reads_per_s=%.1f", reads.getTotalCount() / seconds),
                            fmt("writes_per_s=%.1f", writes.getTotalCount() / seconds),
                            "read_p50_us=" + percentile(reads, 50),
                            "read_p99_us=" + percentile(reads, 99),
                            "read_p999_us=" + percentile(reads, 99.9),
                            "write_p50_us=" + percentile(writes, 50),
                            "write_p99_us=" + percentile(writes, 99),
                            "write_p999_us=" + percentile(writes, 99.9),
                            "errors=" + measuredErrors)
                    + cpuFields(cpu0, cpu1));
            if (!errorsByCode.isEmpty()) System.err.println(label + ": errors by code (whole run): " + errorsByCode);
            if (reads.getTotalCount() + writes.getTotalCount() == 0) {
                System.err.println("error: no request succeeded in the measured interval");
                return 1;
            }
            return 0;
        } finally {
            running = false;
            retries.shutdownNow();
            closeAll(all);
        }
    }

    private void validate() {
        CommandLine.Model.CommandSpec spec = new CommandLine(this).getCommandSpec();
        if (sessions < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--sessions must be at least 1");
        if (pipeline < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--pipeline must be at least 1");
        if (valueSize < 0)
            throw new CommandLine.ParameterException(spec.commandLine(), "--value-size must not be negative");
        if (!(readRatio >= 0 && readRatio <= 1))
            throw new CommandLine.ParameterException(spec.commandLine(), "--read-ratio must be within 0..1");
        if (keys < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--keys must be at least 1");
        if (!(duration > 0) || !(warmup >= 0))
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--duration must be positive and --warmup not negative");
        if (!List.of("listed", "follower", "leader").contains(firstServer))
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--first-server must be listed, follower or leader");
        if (security != null) {
            for (Path p : new Path[] {identity(), trust()}) {
                if (!Files.isRegularFile(p))
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "--security: no such file " + p.toAbsolutePath());
            }
        }
        if (!root.startsWith("/") || root.endsWith("/"))
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--root must be an absolute znode path such as /zkload");
    }

    /**
     * CPU ticks (user + system, /proc/PID/stat fields 14 and 15) of this process, then of each
     * {@code --cpu-pids} process (-1 if it cannot be read); empty without {@code --cpu-pids}.
     */
    private long[] cpuTicks() {
        if (cpuPids.isEmpty()) return new long[0];
        long[] out = new long[cpuPids.size() + 1];
        out[0] = ticks("self");
        for (int i = 0; i < cpuPids.size(); i++) out[i + 1] = ticks(String.valueOf(cpuPids.get(i)));
        return out;
    }

    private static long ticks(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** " cpu_client_s=.. cpu_servers_s=.. cpu_s_PID=.." over the measured interval, or "" without --cpu-pids. */
    private String cpuFields(long[] before, long[] after) {
        if (before.length == 0) return "";
        // USER_HZ is 100 on every Linux ABI the JDK runs on.
        double hz = 100.0;
        StringBuilder sb = new StringBuilder(fmt(" cpu_client_s=%.2f", (after[0] - before[0]) / hz));
        double servers = 0;
        StringBuilder each = new StringBuilder();
        for (int i = 1; i < before.length; i++) {
            boolean known = before[i] >= 0 && after[i] >= 0;
            if (known) servers += (after[i] - before[i]) / hz;
            each.append(" cpu_s_")
                    .append(cpuPids.get(i - 1))
                    .append('=')
                    .append(known ? fmt("%.2f", (after[i] - before[i]) / hz) : "-");
        }
        return sb.append(fmt(" cpu_servers_s=%.2f", servers)).append(each).toString();
    }

    /** Splits {@code h1:p1,h2:p2[/chroot]} into one connect string per server, each keeping the chroot. */
    static List<String> servers(String connect) {
        String chroot = "";
        int slash = connect.indexOf('/');
        if (slash >= 0) {
            chroot = connect.substring(slash);
            connect = connect.substring(0, slash);
        }
        List<String> out = new ArrayList<>();
        for (String s : connect.split(",", -1)) if (!s.isBlank()) out.add(s.trim() + chroot);
        if (out.isEmpty()) throw new IllegalArgumentException("--connect names no server");
        return out;
    }

    /**
     * The servers rotated so that the first has {@code role} ({@code listed}: unchanged), or null
     * (after a message) if none has it. A server's role is the {@code Mode:} line of its answer to
     * the four-letter word {@code srvr}, which Apache ZooKeeper and Cairn's coord both give.
     */
    private List<String> rotateToRole(List<String> servers, String role) {
        if (role.equals("listed")) return servers;
        for (int i = 0; i < servers.size(); i++) {
            String mode = mode(servers.get(i));
            if (role.equals(mode)) {
                List<String> out = new ArrayList<>(servers.subList(i, servers.size()));
                out.addAll(servers.subList(0, i));
                return out;
            }
        }
        System.err.printf(Locale.ROOT, "error: %s: no server in %s says it is a %s%n", label, servers, role);
        return null;
    }

    private Path identity() {
        return new SecurityLayout(security).user("admin");
    }

    private Path trust() {
        return new SecurityLayout(security).caCertificate();
    }

    /**
     * A new client configuration per session (the stock client keeps per-instance settings there):
     * plain, or with {@code --security} the TLS properties Cairn's own coord clients use
     * (node's CoordClientSecurity; the bench module does not depend on node, so they are spelled here).
     */
    private ZKClientConfig clientConfig() {
        ZKClientConfig c = new ZKClientConfig();
        if (security == null) return c;
        c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        c.setProperty(
                "zookeeper.ssl.keyStore.location", identity().toAbsolutePath().toString());
        c.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        c.setProperty(
                "zookeeper.ssl.trustStore.location", trust().toAbsolutePath().toString());
        c.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        c.setProperty("zookeeper.ssl.hostnameVerification", "true");
        return c;
    }

    /** A socket for the {@code srvr} probe: plain, or TLS with the sessions' settings under {@code --security}. */
    private Socket probeSocket() throws IOException {
        if (security == null) return new Socket();
        try (ClientX509Util x509 = new ClientX509Util()) {
            return x509.createSSLContextAndOptions(clientConfig()).createSSLSocket();
        } catch (X509Exception.SSLContextException e) {
            throw new IOException("TLS settings from " + security + ": " + e.getMessage(), e);
        }
    }

    /** The role a server names in its {@code srvr} answer ("leader", "follower", "standalone"), or "unknown". */
    String mode(String server) {
        String hostPort = server.contains("/") ? server.substring(0, server.indexOf('/')) : server;
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = probeSocket()) {
            s.connect(
                    new InetSocketAddress(
                            hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : answer.split("\n", -1)) {
                if (line.startsWith("Mode:"))
                    return line.substring("Mode:".length()).trim();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: srvr to " + hostPort + " failed: " + e);
        }
        return "unknown";
    }

    /** Bounds the whole run: the ZooKeeper client retries forever, a benchmark must not. */
    private void startWatchdog() {
        double bound = connectTimeout + setupTimeout + warmup + duration + 30;
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep((long) (bound * 1000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.printf(
                            Locale.ROOT, "error: %s: run did not finish within %.0f s; giving up%n", label, bound);
                    System.err.flush();
                    Runtime.getRuntime().halt(4);
                },
                "zkload-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** Opens all sessions in parallel; false (after a message) if one is not connected in time. */
    private boolean open(List<String> servers, SplittableRandom seeds, List<Session> out) throws Exception {
        List<CountDownLatch> connected = new ArrayList<>();
        int[] perServer = new int[servers.size()];
        for (int i = 0; i < sessions; i++) {
            String server = servers.get(i % servers.size());
            perServer[i % servers.size()]++;
            CountDownLatch latch = new CountDownLatch(1);
            connected.add(latch);
            Watcher watcher = event -> {
                if (event.getType() == Watcher.Event.EventType.None
                        && event.getState() == Watcher.Event.KeeperState.SyncConnected) latch.countDown();
            };
            out.add(new Session(
                    server, new ZooKeeper(server, sessionTimeout * 1000, watcher, clientConfig()), seeds.split()));
        }
        long deadline = System.nanoTime() + (long) (connectTimeout * 1e9);
        for (int i = 0; i < sessions; i++) {
            if (!connected.get(i).await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                System.err.printf(
                        Locale.ROOT,
                        "error: %s: session %d could not connect to %s within %.0f s%n",
                        label,
                        i,
                        out.get(i).server,
                        connectTimeout);
                return false;
            }
        }
        Map<String, Integer> spread = new LinkedHashMap<>();
        for (int i = 0; i < servers.size(); i++) spread.put(servers.get(i), perServer[i]);
        System.err.println(label + ": connected " + sessions + " sessions, per server " + spread
                + (firstServer.equals("listed") ? "" : " (the first is a " + firstServer + ")"));
        return true;
    }

    /** Creates the root and the keys (or overwrites existing keys' values), at most 256 requests outstanding. */
    private boolean createKeys(ZooKeeper zk) throws InterruptedException {
        try {
            zk.create(root, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // left by an earlier run: fine
        } catch (KeeperException e) {
            System.err.println("error: " + label + ": cannot create " + root + ": " + e);
            return false;
        }
        Semaphore window = new Semaphore(256);
        CountDownLatch done = new CountDownLatch(keys);
        AtomicReference<String> failure = new AtomicReference<>();
        AsyncCallback.StatCallback setDone = (rc, path, ctx, stat) -> {
            if (rc != KeeperException.Code.OK.intValue())
                failure.compareAndSet(null, "setData " + path + ": " + KeeperException.Code.get(rc));
            window.release();
            done.countDown();
        };
        AsyncCallback.StringCallback created = (rc, path, ctx, name) -> {
            if (rc == KeeperException.Code.NODEEXISTS.intValue()) {
                zk.setData(path, value, -1, setDone, null);
                return;
            }
            if (rc != KeeperException.Code.OK.intValue())
                failure.compareAndSet(null, "create " + path + ": " + KeeperException.Code.get(rc));
            window.release();
            done.countDown();
        };
        long deadline = System.nanoTime() + (long) (setupTimeout * 1e9);
        for (String p : paths) {
            if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
            zk.create(p, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created, null);
        }
        if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            System.err.printf(
                    Locale.ROOT,
                    "error: %s: creating %d keys under %s took longer than %.0f s%n",
                    label,
                    keys,
                    root,
                    setupTimeout);
            return false;
        }
        if (failure.get() != null) {
            System.err.println("error: " + label + ": cannot create the keys: " + failure.get());
            return false;
        }
        return true;
    }

    /** Waits (bounded) for the requests still in flight after the measured interval. */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
        if (inFlight.get() > 0)
            System.err.println(
                    label + ": " + inFlight.get() + " requests still outstanding after the run; closing anyway");
    }

    /** Closes the sessions in parallel: each close is a round trip (a replicated write on the server). */
    private static void closeAll(List<Session> all) {
        List<Thread> closers = new ArrayList<>();
        for (Session s : all) closers.add(Thread.ofVirtual().start(s::close));
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleepSeconds(double s) throws InterruptedException {
        long ns = (long) (s * 1e9);
        if (ns > 0) TimeUnit.NANOSECONDS.sleep(ns);
    }

    /** The percentile in microseconds with one decimal, or {@code -} without data. */
    private static String percentile(Histogram h, double p) {
        return h.getTotalCount() == 0 ? "-" : fmt("%.1f", h.getValueAtPercentile(p) / 1000.0);
    }

    @FormatMethod
    private static String fmt(@FormatString String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /**
     * One client session and its share of the load. Callbacks of a session run on its client's event
     * thread, but recording goes through {@link Recorder}s, which are safe for any writer thread and
     * let the main thread take interval histograms without stopping the load.
     */
    private final class Session implements AsyncCallback.DataCallback, AsyncCallback.StatCallback {
        final String server;
        final ZooKeeper zk;
        final Recorder reads = new Recorder(3);
        final Recorder writes = new Recorder(3);
        private final SplittableRandom random;
        private volatile boolean dead;

        Session(String server, ZooKeeper zk, SplittableRandom random) {
            this.server = server;
            this.zk = zk;
            this.random = random;
        }

        /** Sends one request: getData or setData of a random key. */
        void issue() {
            if (!running || dead) return;
            boolean read;
            int key;
            synchronized (random) { // the first requests come from main, later ones from callbacks
                read = random.nextDouble() < readRatio;
                key = random.nextInt(paths.length);
            }
            inFlight.incrementAndGet();
            long start = System.nanoTime();
            if (read) zk.getData(paths[key], false, (AsyncCallback.DataCallback) this, start);
            else zk.setData(paths[key], value, -1, (AsyncCallback.StatCallback) this, start);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            completed(rc, reads, (Long) ctx);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, Stat stat) {
            completed(rc, writes, (Long) ctx);
        }

        private void completed(int rc, Recorder recorder, long start) {
            long latency = System.nanoTime() - start;
            inFlight.decrementAndGet();
            if (rc == KeeperException.Code.OK.intValue()) {
                recorder.recordValue(latency);
                issue();
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            errors.increment();
            errorsByCode.computeIfAbsent(code, c -> new LongAdder()).increment();
            if (code == KeeperException.Code.SESSIONEXPIRED || code == KeeperException.Code.AUTHFAILED) {
                if (!dead)
                    System.err.println(
                            label + ": session to " + server + " lost (" + code + "); it issues no more requests");
                dead = true;
                return;
            }
            if (running) {
                try {
                    var unused = retries.schedule(this::issue, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // shutting down
                }
            }
        }

        /** Drops what was recorded so far (the warmup). */
        void reset() {
            reads.reset();
            writes.reset();
        }

        void close() {
            try {
                zk.close(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
