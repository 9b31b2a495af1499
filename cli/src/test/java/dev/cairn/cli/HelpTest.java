package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand of {@code cairn} answers {@code -h} and {@code --help} with its usage. */
class HelpTest {
    /** Every command path: [], [fs], [fs, put], ... */
    private static List<List<String>> commandPaths() {
        CommandLine root = new CommandLine(new Main());
        List<List<String>> out = new ArrayList<>();
        collect(root, new ArrayList<>(), out);
        return out;
    }

    private static void collect(CommandLine cli, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        cli.getSubcommands().forEach((name, sub) -> {
            // Aliases appear under each name; visit each command once, by its own name.
            if (!name.equals(sub.getCommandName())) return;
            List<String> p = new ArrayList<>(path);
            p.add(name);
            collect(sub, p, out);
        });
    }

    @Test
    void everyCommandTakesHelp() {
        List<List<String>> paths = commandPaths();
        assertThat(paths)
                .as("the command tree")
                .hasSizeGreaterThan(20)
                .contains(List.of("fs", "put"), List.of("job", "status"), List.of("submit"), List.of("cluster", "up"));
        PrintStream saved = System.out;
        try {
            for (List<String> path : paths) {
                for (String flag : List.of("-h", "--help")) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
                    List<String> args = new ArrayList<>(path);
                    args.add(flag);
                    int exit = Main.run(args.toArray(String[]::new));
                    String usage = buf.toString(StandardCharsets.UTF_8);
                    assertThat(exit)
                            .as("exit of cairn %s", String.join(" ", args))
                            .isZero();
                    assertThat(usage)
                            .as("output of cairn %s", String.join(" ", args))
                            .contains("Usage: " + String.join(" ", prepend("cairn", path)) + " ");
                }
            }
        } finally {
            System.setOut(saved);
        }
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }
}
