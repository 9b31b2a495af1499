package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.io.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.Yaml;

/** Runs {@code cairn} commands from the built distribution as separate processes, as a user would. */
final class Cli {
    static final Path DIST = Path.of(System.getProperty("cairn.dist", "../cli/target/dist"))
            .toAbsolutePath()
            .normalize();

    record Result(int exit, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    private Cli() {}

    static Path java() {
        return Path.of(ProcessHandle.current().info().command().orElseThrow());
    }

    private static List<String> command(String... args) {
        assertThat(DIST.resolve("lib"))
                .as("distribution built by 'mvn package' of the cli module")
                .isDirectory();
        List<String> cmd = new ArrayList<>(List.of(java().toString(), "-Xmx256m"));
        // The flags bin/java-env.sh adds, so library warnings do not pollute the output under test.
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of("-Dcairn.home=" + DIST, "-cp", DIST.resolve("lib") + "/*", "dev.cairn.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = command(args);
        Path out = Files.createTempFile("cairn-cli", ".out");
        Path err = Files.createTempFile("cairn-cli", ".err");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("cairn " + String.join(" ", args) + " did not finish within " + timeout
                        + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            return new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A command running in the background, its output readable while it runs. */
    record Background(Process process, Path out, Path err, String[] args) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        Result await(Duration timeout) throws IOException, InterruptedException {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("cairn " + String.join(" ", args) + " did not finish within " + timeout
                            + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
                }
                return new Result(
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    static Background start(String... args) throws IOException {
        Path out = Files.createTempFile("cairn-cli", ".out");
        Path err = Files.createTempFile("cairn-cli", ".err");
        Process p = new ProcessBuilder(command(args))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new Background(p, out, err, args);
    }

    static Result ok(Duration timeout, String... args) throws IOException, InterruptedException {
        Result r = run(timeout, args);
        assertThat(r.exit())
                .as("cairn %s\nstdout:\n%s\nstderr:\n%s", String.join(" ", args), r.stdout(), r.stderr())
                .isZero();
        return r;
    }

    /** {@code cairn fs ARGS --dir DIR}: the store of the cluster in {@code dir}. */
    static Result fs(Path dir, String... args) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("fs"));
        full.addAll(List.of(args));
        full.addAll(List.of("--dir", dir.toString()));
        return run(Duration.ofMinutes(2), full.toArray(String[]::new));
    }

    /** {@link #fs}, asserting it succeeded. */
    static Result fsOk(Path dir, String... args) throws IOException, InterruptedException {
        Result r = fs(dir, args);
        assertThat(r.exit())
                .as("cairn fs %s\n%s", String.join(" ", args), r.all())
                .isZero();
        return r;
    }

    /** {@code DIR/cluster.json} of a {@code cluster up}, as maps and lists. */
    static Map<String, Object> clusterFile(Path dir) throws IOException {
        return new Yaml().load(Files.readString(dir.resolve("cluster.json")));
    }

    /** {@code cluster down --dir DIR}, then deletes it and the test's scratch directories. */
    static void clusterDown(Path dir, Path... scratch) throws IOException, InterruptedException {
        Result down = run(Duration.ofMinutes(1), "cluster", "down", "--dir", dir.toString());
        // A node that died before the end is the likeliest cause of a failure: its log is deleted
        // below, so show its end now, where a CI run's output keeps it.
        for (String line : down.stdout().lines().toList()) {
            String[] words = line.trim().split("\\s+", 2);
            if (words.length == 2 && words[1].equals("was not running")) printTail(dir.resolve(words[0] + ".log"), 60);
        }
        FileTrees.deleteRecursively(dir);
        for (Path p : scratch) FileTrees.deleteRecursively(p);
    }

    private static void printTail(Path log, int lines) throws IOException {
        if (!Files.isRegularFile(log)) return;
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        System.out.println(
                "--- " + log.getFileName() + " (its node died before cluster down), last " + lines + " lines:");
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
    }
}
