package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.net.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A coord group of its own: N {@code cairn node} processes with only the coord role, each with a
 * fixed Raft and client port and its own data directory, that a test can kill with SIGKILL and
 * start again on the same directory (so it recovers from its log and snapshots).
 */
final class CoordProcesses implements AutoCloseable {
    private final Path dir;
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> clientPorts = new ArrayList<>();
    private final Process[] processes;
    private final String jvmOpts;

    CoordProcesses(Path dir, int members, String jvmOpts, String... overrides) throws IOException {
        this.dir = dir;
        this.processes = new Process[members];
        this.jvmOpts = jvmOpts;
        List<String> specs = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
            int raft = FreePorts.pick("127.0.0.1");
            int client = FreePorts.pick("127.0.0.1");
            ids.add("c" + i);
            clientPorts.add(client);
            specs.add("c" + i + "@127.0.0.1:" + raft + ":" + client);
        }
        for (int i = 0; i < members; i++) {
            StringBuilder yaml = new StringBuilder()
                    .append("node.id: ")
                    .append(ids.get(i))
                    .append('\n')
                    .append("node.roles: [coord]\n")
                    .append("node.port: 0\n")
                    .append("node.dir: '")
                    .append(dir.resolve(ids.get(i)))
                    .append("'\n")
                    .append("coord.members: [")
                    .append(String.join(", ", specs))
                    .append("]\n");
            for (String o : overrides) yaml.append(o.replaceFirst("=", ": ")).append('\n');
            Files.writeString(conf(i), yaml, StandardCharsets.UTF_8);
        }
    }

    private Path conf(int i) {
        return dir.resolve(ids.get(i) + ".yaml");
    }

    String connectString() {
        return String.join(",", clientPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    String member(int i) {
        return "127.0.0.1:" + clientPorts.get(i);
    }

    int size() {
        return processes.length;
    }

    boolean isRunning(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** Starts member i (again) and waits until it answers {@code ruok}. */
    void start(int i) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Cli.java().toString()));
        for (String o : jvmOpts.split("\\s+")) if (!o.isEmpty()) cmd.add(o);
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.addAll(List.of(
                "-Dcairn.home=" + Cli.DIST,
                "-cp",
                Cli.DIST.resolve("lib") + "/*",
                "dev.cairn.cli.Main",
                "node",
                "--conf",
                conf(i).toString()));
        Path log = log(i);
        processes[i] = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (CoordIT.fourLetterWord(member(i), "ruok").equals("imok")) return;
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(processes[i].isAlive())
                    .as("member %s alive; see %s", ids.get(i), log)
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("member %s answers within 60 s", ids.get(i))
                    .isLessThan(deadline);
            LockSupport.parkNanos(50_000_000L);
        }
    }

    void startAll() throws IOException {
        for (int i = 0; i < processes.length; i++) start(i);
    }

    /** The member that says it leads ({@code srvr}), or -1 if none answers so. */
    int leader() {
        for (int i = 0; i < size(); i++) {
            try {
                if (CoordIT.fourLetterWord(member(i), "srvr").contains("Mode: leader")) return i;
            } catch (IOException e) {
                // not answering: not a leader anyone can use
            }
        }
        return -1;
    }

    /** The log file member i writes to (appended to across restarts). */
    Path log(int i) {
        return dir.resolve(ids.get(i) + ".log");
    }

    /**
     * Sends member i a signal by name ({@code STOP} freezes it with its sockets open, {@code CONT}
     * thaws it). {@link #close} kills a frozen member too.
     */
    void signal(int i, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(processes[i].pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0)
                .as("kill -%s member %s", name, ids.get(i))
                .isTrue();
    }

    /** SIGKILL: no shutdown hook, no flush; only what was fsynced survives. */
    void kill(int i) throws InterruptedException {
        if (processes[i] == null) return;
        processes[i].destroyForcibly();
        processes[i].waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < processes.length; i++) kill(i);
    }
}
