package dev.cairn.cli;

import dev.cairn.rpc.RemoteException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/cairn}: one binary for every role and every operator task. */
@Command(
        name = "cairn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Cairn: a distributed computing engine for the JVM.",
        subcommands = {
            QuickstartCommand.class,
            NodeCommand.class,
            SubmitCommand.class,
            JobCommand.class,
            ClusterCommand.class,
            CoordCommand.class,
            FsCommand.class,
            SecurityCommand.class,
            ConfigCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // A node logs what it does; a command-line tool shows only warnings unless asked.
        boolean node = args.length > 0 && args[0].equals("node");
        if (!node && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (!node) {
            // The ZooKeeper client warns with a stack trace at every failed (re)connect, say to a
            // secure coord without a certificate; the command itself says in one line what failed.
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "error");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.curator", "error");
        }
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 bad usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        addHelpOptions(cli);
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Gives every command and subcommand {@code -h/--help}, so none answers "Unknown option". Not
     * picocli's standard mixin, whose {@code -V/--version} would clash with {@code coord set --version}.
     */
    static void addHelpOptions(CommandLine cli) {
        CommandLine.Model.CommandSpec s = cli.getCommandSpec();
        boolean hasHelp = s.options().stream().anyMatch(CommandLine.Model.OptionSpec::usageHelp);
        if (!hasHelp && s.findOption("--help") == null && s.findOption("-h") == null) {
            s.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                    .usageHelp(true)
                    .description("Show this help message and exit.")
                    .build());
        }
        for (CommandLine sub : cli.getSubcommands().values()) addHelpOptions(sub);
    }

    /** Expected failures print one line; anything else prints its stack trace too. */
    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof CliException
                || e instanceof IllegalArgumentException
                || e instanceof RemoteException
                || e instanceof java.io.IOException
                || e instanceof IllegalStateException) {
            err.println("error: " + message(e));
            if (System.getenv("CAIRN_DEBUG") != null) e.printStackTrace(err);
        } else {
            err.println("error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof RemoteException r && "UNAUTHENTICATED".equals(r.code()))
            return r.target() + " refused the call: " + r.getMessage();
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cairn " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}
