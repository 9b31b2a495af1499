package dev.cairn.cli;

import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.node.CoordClientSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How a command authenticates to a cluster. A command given {@code --dir DIR} of a cluster started
 * with {@code cluster up --secure} speaks mutual TLS with DIR's {@code admin} certificate, or with
 * the certificate of the user {@code --as} names (RPC, block transfers and, with ZooKeeper's TLS
 * client properties, coord); a plain cluster is reached in plain text.
 */
final class ClientSecurity {
    /** The user every secure cluster has, made by {@code security init}. */
    static final String ADMIN = "admin";

    /** A client does not run long enough to see its certificate rotate: no re-check. */
    private static final Duration NO_RELOAD = Duration.ofDays(1);

    private ClientSecurity() {}

    /**
     * The transport security for the cluster in {@code dir} (null: no cluster directory given).
     *
     * @param as the user to act as, or null for the admin
     * @throws CliException when {@code --as} names a user without a certificate, or the cluster
     *     is not secure but a user was named
     */
    static TransportSecurity forCluster(Path dir, String as) throws IOException {
        if (dir == null || !Files.exists(ClusterFile.path(dir))) {
            if (as != null)
                throw new CliException(
                        "--as " + as + " needs --dir DIR of a cluster started with 'cluster up --secure'");
            return TransportSecurity.plain();
        }
        ClusterFile cluster = ClusterFile.read(dir);
        if (!cluster.secure()) {
            if (as != null)
                throw new CliException(
                        "--as " + as + ": the cluster in " + dir + " is not secure (started without --secure)");
            return TransportSecurity.plain();
        }
        return forUser(new SecurityLayout(Path.of(cluster.security())), as == null ? ADMIN : as);
    }

    /**
     * ZooKeeper's client properties for the coord of the cluster in {@code dir}: its TLS settings
     * with the admin's (or {@code as}'s) certificate for a secure cluster, none for a plain one.
     */
    static Map<String, String> coordProperties(Path dir, String as) throws IOException {
        if (!forCluster(dir, as).enabled()) return Map.of();
        SecurityLayout layout = new SecurityLayout(Path.of(ClusterFile.read(dir).security()));
        return CoordClientSecurity.zooKeeperProperties(layout.user(as == null ? ADMIN : as), layout.caCertificate());
    }

    /**
     * TLS without a client certificate, authenticating by {@code token}, trusting the CA
     * certificate in {@code ca}, or else that of the secure cluster in {@code dir}.
     *
     * @throws CliException when the token is malformed (without repeating it) or no CA is known
     */
    static TransportSecurity withToken(Path dir, Path ca, String token) throws IOException {
        AccessToken parsed = AccessToken.parse(token)
                .orElseThrow(() -> new CliException(
                        "the token given (--token or $CAIRN_TOKEN) is not a Cairn token: expected cairn_<id>.<secret>"
                                + " as 'security token create' prints it"));
        Path trust = ca;
        if (trust == null && dir != null && Files.exists(ClusterFile.path(dir))) {
            ClusterFile cluster = ClusterFile.read(dir);
            if (cluster.secure()) trust = new SecurityLayout(Path.of(cluster.security())).caCertificate();
        }
        if (trust == null)
            throw new CliException(
                    "a token needs the cluster CA's certificate to trust: --ca FILE, or --dir DIR of a secure cluster");
        try {
            return TransportSecurity.token(trust, parsed);
        } catch (IOException e) {
            throw new CliException("cannot read the CA certificate to trust: " + e.getMessage());
        }
    }

    /** Mutual TLS as {@code user} of the cluster whose material is in {@code layout}. */
    static TransportSecurity forUser(SecurityLayout layout, String user) throws IOException {
        if (!CertificateAuthority.NAME.matcher(user).matches())
            throw new CliException("'" + user + "' is not a valid user name");
        Path pem = layout.user(user);
        if (!Files.isRegularFile(pem))
            throw new CliException("no certificate for user '" + user + "' (" + pem + " not found): make one with"
                    + " 'cairn security user add " + user + " --dir "
                    + layout.root().getParent() + "'");
        try {
            return TransportSecurity.mutualTls(layout.userMaterial(user, NO_RELOAD, Clock.system()));
        } catch (IOException e) {
            throw new CliException("cannot read the TLS material of user '" + user + "': " + e.getMessage());
        }
    }
}
