package dev.cairn.cli;

import dev.cairn.common.config.ConfigKey;
import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.common.time.Clock;
import dev.cairn.node.AccessTokens;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn security token create|list|revoke}: bearer tokens for clients that cannot hold a
 * certificate, kept in the cluster's coord ({@link AccessTokens}). Acting with {@code --dir}'s
 * admin certificate; coord's ACL refuses anyone else.
 */
@Command(
        name = "token",
        description = "Tokens for clients that cannot hold a certificate (job commands and the dashboard).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {
    private TokenCommand() {}

    /** Runs an action on the coord of the secure cluster in {@code --dir}, as its admin. */
    abstract static class AdminAction implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The cluster directory.")
        Path dir;

        abstract void run(AccessTokens tokens) throws Exception;

        @Override
        public Integer call() throws Exception {
            ClusterFile cluster = ClusterFile.read(dir);
            if (!cluster.secure())
                throw new CliException("the cluster in " + dir
                        + " is not secure: tokens need a cluster started with 'cluster up --secure'");
            if (cluster.coordConnect() == null) throw new CliException("no coordConnect in " + ClusterFile.path(dir));
            try (AccessTokens tokens = AccessTokens.connect(
                    cluster.coordConnect(), ClientSecurity.coordProperties(dir, null), Duration.ofSeconds(10))) {
                run(tokens);
                return 0;
            } catch (SecurityException | IllegalArgumentException | NoSuchElementException e) {
                throw new CliException(e.getMessage());
            }
        }
    }

    @Command(
            name = "create",
            description = {
                "Make a token for USER and print it, once: the cluster keeps only its SHA-256.",
                "Give it to a client as --token TOKEN or $CAIRN_TOKEN."
            })
    static final class Create extends AdminAction {
        @Parameters(index = "0", paramLabel = "USER", description = "The user the token authenticates.")
        String user;

        @Option(
                names = "--ttl",
                defaultValue = "7d",
                paramLabel = "DURATION",
                description = "How long the token is valid: 30m, 12h, 7d (default ${DEFAULT-VALUE}).")
        String ttl;

        @Override
        void run(AccessTokens tokens) throws Exception {
            Duration validity = ConfigKey.parseDuration(ttl);
            AccessToken token = tokens.create(user, validity, Clock.system(), new SecureRandom());
            System.out.println(token.text());
            System.err.printf(
                    "token %s for user %s, valid until %s; it is shown only now%n",
                    token.id(),
                    user,
                    Instant.ofEpochMilli(Clock.system().millis()).plus(validity));
        }
    }

    @Command(name = "list", description = "Every token: id, user, dates and state (never a secret).")
    static final class ListTokens extends AdminAction {
        @Override
        void run(AccessTokens tokens) throws Exception {
            List<TokenRecord> listed = tokens.list();
            Instant now = Instant.ofEpochMilli(Clock.system().millis());
            System.out.printf("%-16s  %-16s  %-20s  %-20s  %s%n", "ID", "USER", "CREATED", "EXPIRES", "STATE");
            for (TokenRecord t : listed) {
                String state = t.revoked()
                        .map(r -> "revoked " + second(r))
                        .orElse(now.isBefore(t.expires()) ? "valid" : "expired");
                System.out.printf(
                        "%-16s  %-16s  %-20s  %-20s  %s%n",
                        t.id(), t.user(), second(t.created()), second(t.expires()), state);
            }
        }

        private static String second(Instant i) {
            return i.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }
    }

    @Command(name = "revoke", description = "Revoke token ID: nodes refuse it within seconds.")
    static final class Revoke extends AdminAction {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as 'security token list' shows.")
        String id;

        @Override
        void run(AccessTokens tokens) throws Exception {
            TokenRecord r = tokens.revoke(id, Clock.system());
            System.out.printf("revoked token %s of user %s%n", r.id(), r.user());
        }
    }
}
