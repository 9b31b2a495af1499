package dev.cairn.cli;

import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn security ...}: a cluster's certificate authority and the certificates of its nodes
 * and users, kept under {@code DIR/security} (see {@link SecurityLayout}), and the tokens of users
 * that cannot hold a certificate, kept in coord ({@link TokenCommand}).
 */
@Command(
        name = "security",
        description = "The cluster CA, the certificates of nodes and users (DIR/security), and users' tokens.",
        subcommands = {SecurityCommand.Init.class, SecurityCommand.User.class, TokenCommand.class})
final class SecurityCommand {
    /** How long the CA is good for: longer than any certificate it issues. */
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** How long node and user certificates are good for; rotating them needs no restart. */
    static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);
    /** The names a node certificate carries, besides none: nodes of 'cluster up' listen on loopback. */
    static final List<String> LOCAL_HOSTS = List.of("127.0.0.1", "localhost");

    private SecurityCommand() {}

    /** The CA under {@code dir} (made if missing, kept if there) with its {@code admin} user. */
    static CertificateAuthority initialize(Path dir) throws IOException {
        SecurityLayout layout = SecurityLayout.under(dir);
        String cluster = dir.toAbsolutePath().normalize().getFileName() == null
                ? "cluster"
                : dir.toAbsolutePath().normalize().getFileName().toString();
        CertificateAuthority ca = layout.initialize(cluster, CA_VALIDITY, Clock.system());
        if (!Files.exists(layout.user(ClientSecurity.ADMIN)))
            ca.issueUser(ClientSecurity.ADMIN, CERTIFICATE_VALIDITY).write(layout.user(ClientSecurity.ADMIN));
        return ca;
    }

    /** Issues node {@code name}'s certificate for {@code hosts} unless it has one. */
    static Path ensureNode(CertificateAuthority ca, Path dir, String name, List<String> hosts) throws IOException {
        Path pem = SecurityLayout.under(dir).node(name);
        if (!Files.exists(pem)) ca.issueNode(name, hosts, CERTIFICATE_VALIDITY).write(pem);
        return pem;
    }

    @Command(
            name = "init",
            description = {
                "Create the cluster CA and the 'admin' user's certificate under DIR/security.",
                "An existing CA (and admin) is kept, so running it again changes nothing."
            })
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The cluster directory.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            SecurityLayout layout = SecurityLayout.under(dir);
            boolean existed = layout.initialized();
            initialize(dir);
            System.out.printf(
                    "%s: CA %s, admin %s%n",
                    existed ? "kept the existing CA" : "created a CA",
                    layout.caCertificate(),
                    layout.user(ClientSecurity.ADMIN));
            return 0;
        }
    }

    @Command(name = "user", description = "Users' certificates.", subcommands = SecurityCommand.AddUser.class)
    static final class User {}

    @Command(name = "add", description = "Issue a certificate for USER (kept if USER already has one).")
    static final class AddUser implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "USER", description = "Letters, digits, '.', '_' and '-'.")
        String user;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The cluster directory.")
        Path dir;

        @Option(
                names = "--groups",
                split = ",",
                paramLabel = "G1,G2",
                description = "Groups USER belongs to (named in the certificate; store files' group rights apply).")
        List<String> groups = List.of();

        @Override
        public Integer call() throws Exception {
            if (!CertificateAuthority.NAME.matcher(user).matches())
                throw new CliException(
                        "'" + user + "' is not a valid user name: use letters, digits, '.', '_' and '-'");
            for (String g : groups) {
                if (!CertificateAuthority.NAME.matcher(g).matches())
                    throw new CliException(
                            "'" + g + "' is not a valid group name: use letters, digits, '.', '_' and '-'");
            }
            SecurityLayout layout = SecurityLayout.under(dir);
            CertificateAuthority ca;
            try {
                ca = layout.authority(Clock.system());
            } catch (IOException e) {
                throw new CliException(e.getMessage());
            }
            Path pem = layout.user(user);
            if (Files.exists(pem)) {
                System.out.printf("user %s already has a certificate: %s%n", user, pem);
                return 0;
            }
            ca.issueUser(user, groups, CERTIFICATE_VALIDITY).write(pem);
            System.out.printf(
                    "user %s%s: %s%n", user, groups.isEmpty() ? "" : " (groups " + String.join(",", groups) + ")", pem);
            return 0;
        }
    }
}
