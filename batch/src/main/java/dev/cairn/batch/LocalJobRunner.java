package dev.cairn.batch;

import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.io.FileTrees;
import dev.cairn.common.net.FreePorts;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.RpcServer;
import dev.cairn.rpc.RpcService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Runs a job in this JVM, for unit tests of user jobs: a real master and a real worker on
 * loopback, the job's classes shipped as a jar and loaded in a class loader of their own, the
 * same splitting, combining, sorting, shuffling, retries and atomic output commit as on a
 * cluster. Only local paths can be read and written.
 *
 * <pre>{@code
 * try (LocalJobRunner runner = LocalJobRunner.start()) {
 *     JobStatus done = runner.run(new WordCount(), "in.txt", "out");
 *     assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
 * }
 * }</pre>
 *
 * <p>The job's classes are taken from where its {@link JobDefinition} was loaded from: a jar, or a
 * directory of classes (a build's {@code target/classes}), which is packed into a jar. One runner
 * runs any number of jobs, one after another or at once.
 */
public final class LocalJobRunner implements AutoCloseable {
    private static final Duration HEARTBEAT = Duration.ofMillis(50);

    private final Path dir;
    private final BatchMaster master;
    private final BatchWorker worker;
    private final RpcServer server;
    private final BatchClient client;

    private LocalJobRunner(Path dir, BatchMaster master, BatchWorker worker, RpcServer server, BatchClient client) {
        this.dir = dir;
        this.master = master;
        this.worker = worker;
        this.server = server;
        this.client = client;
    }

    /** A runner with one worker of two slots. */
    public static LocalJobRunner start() throws IOException {
        return start(2);
    }

    /** A runner with one worker of {@code slots} slots (task attempts at once). */
    public static LocalJobRunner start(int slots) throws IOException {
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        Path dir = Files.createTempDirectory("cairn-local-runner");
        String host = "127.0.0.1";
        int port = FreePorts.pick(host);
        String endpoint = host + ":" + port;
        FileSystemRegistry fileSystems = FileSystemRegistry.local();
        BatchMaster master = null;
        BatchWorker worker = null;
        RpcServer server = null;
        try {
            master = BatchMaster.create(
                    new BatchMaster.Settings(
                            dir.resolve("master"),
                            Duration.ofSeconds(30),
                            HEARTBEAT,
                            64L << 20,
                            4,
                            1000,
                            Duration.ZERO,
                            false, // one worker: no other to run a copy on
                            1.5,
                            Duration.ofSeconds(1),
                            true,
                            BatchConfig.MASTER_RESPLIT_MIN_GAIN.defaultValue(),
                            BatchConfig.MASTER_TARGET_PARTITION_SIZE.defaultValue(),
                            BatchConfig.MASTER_SKEW_FACTOR.defaultValue(),
                            BatchConfig.MASTER_SKEW_MIN_SIZE.defaultValue()),
                    fileSystems,
                    () -> Optional.of(endpoint),
                    Clock.system());
            worker = BatchWorker.create(
                    new BatchWorker.Settings(
                            "local-worker",
                            endpoint,
                            dir.resolve("worker"),
                            slots,
                            16L << 20,
                            1 << 16,
                            64L << 20,
                            4,
                            Duration.ofSeconds(30)),
                    () -> endpoint,
                    fileSystems);
            List<RpcService> services = new ArrayList<>(master.services());
            services.addAll(worker.services());
            server = RpcServer.start(host, port, services);
            master.activate();
            worker.start();
            return new LocalJobRunner(dir, master, worker, server, BatchClient.connect(endpoint));
        } catch (IOException | RuntimeException e) {
            if (worker != null) worker.close();
            if (server != null) server.close();
            if (master != null) master.close();
            FileTrees.deleteRecursively(dir);
            throw e;
        }
    }

    /**
     * Defines the job with {@code args}, runs it and returns its final status: SUCCEEDED, or
     * FAILED with the cause in {@link JobStatus#error()}.
     *
     * @throws IllegalArgumentException when the definition rejects its arguments or the master rejects the job
     */
    public JobStatus run(JobDefinition definition, String... args) throws IOException, InterruptedException {
        return run(definition.define(args), definition.getClass());
    }

    /**
     * Runs {@code spec}, whose classes (mapper, reducer, ...) are loaded from where {@code jobClass}
     * was, and returns its final status.
     */
    public JobStatus run(JobSpec spec, Class<?> jobClass) throws IOException, InterruptedException {
        JobSpec absolute = absolutePaths(spec);
        byte[] jar = jarOf(jobClass);
        JobStatus status;
        try {
            status = client.submit(absolute, jar, jobClass.getSimpleName() + ".jar");
        } catch (dev.cairn.rpc.RemoteException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return awaitEnd(status);
    }

    /**
     * Runs a job given as a graph of stages, whose programs are Cairn's own or loaded from where
     * {@code jobClass} was, and returns its final status.
     */
    public JobStatus run(JobGraph graph, Class<?> jobClass) throws IOException, InterruptedException {
        JobGraph absolute = graph.withPaths(LocalJobRunner::absolute);
        byte[] jar = jarOf(jobClass);
        JobStatus status;
        try {
            status = client.submit(absolute, jar, jobClass.getSimpleName() + ".jar");
        } catch (dev.cairn.rpc.RemoteException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return awaitEnd(status);
    }

    private JobStatus awaitEnd(JobStatus status) throws InterruptedException {
        while (!status.state().isTerminal()) {
            Thread.sleep(20);
            status = client.status(status.jobId());
        }
        return status;
    }

    private static JobSpec absolutePaths(JobSpec s) {
        return s.withPaths(LocalJobRunner::absolute);
    }

    private static String absolute(String path) {
        if (dev.cairn.common.fs.FsPaths.scheme(path) != null) return path;
        return Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** The jar {@code type} was loaded from, or its classes directory packed into one. */
    static byte[] jarOf(Class<?> type) throws IOException {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalArgumentException("cannot tell where " + type.getName() + " was loaded from");
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "cannot tell where " + type.getName() + " was loaded from: " + source.getLocation(), e);
        }
        if (Files.isRegularFile(location)) return Files.readAllBytes(location);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes);
                Stream<Path> walk = Files.walk(location)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(
                        new JarEntry(location.relativize(p).toString().replace(java.io.File.separatorChar, '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        client.close();
        worker.close();
        server.close();
        master.close();
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            // A temporary directory; the OS cleans it eventually.
        }
    }
}
