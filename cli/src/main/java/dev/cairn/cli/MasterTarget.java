package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.rpc.RemoteException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Which master a command talks to: a given endpoint, or the active master of the cluster in a
 * directory (the masters in its cluster.json are asked in turn; standbys refuse, the elected one
 * answers). With {@code --dir} of a secure cluster, calls go over mutual TLS as its admin, or as
 * the user {@code --as} names; with a token ({@code --token}, or {@code $CAIRN_TOKEN} when no
 * {@code --as} is given) they go over TLS without a client certificate, as the token's user.
 */
final class MasterTarget {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(
            names = "--as",
            paramLabel = "USER",
            description = "On a secure cluster (--dir), act as USER with DIR/security/users/USER.pem (default: admin).")
    String as;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "Authenticate with TOKEN from 'security token create' instead of a certificate"
                    + " (default: $CAIRN_TOKEN, unless --as is given). Trusts --ca FILE or --dir's CA.")
    String token;

    @Option(
            names = "--ca",
            paramLabel = "FILE",
            description = "With a token: the cluster CA's certificate to trust (default: that of --dir).")
    Path ca;

    private TransportSecurity security;

    static final class Choice {
        @Option(names = "--master", paramLabel = "HOST:PORT", description = "The master's endpoint.")
        String master;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "A cluster started by 'cluster up --dir DIR': use its active master.")
        Path dir;
    }

    boolean followsFailover() {
        return choice.dir != null;
    }

    /** How calls to the master are protected: plain, or mutual TLS for a secure cluster's --dir. */
    TransportSecurity security() throws IOException {
        if (security != null) return security;
        String t = token != null ? token : as == null ? System.getenv("CAIRN_TOKEN") : null;
        if (t != null && !t.isBlank()) {
            if (as != null) throw new CliException("--token and --as exclude each other: a token names its user");
            security = ClientSecurity.withToken(choice.dir, ca, t);
        } else {
            security = ClientSecurity.forCluster(choice.dir, as);
        }
        return security;
    }

    /** The endpoint to use now. */
    String resolve() throws Exception {
        if (choice.master != null) {
            security();
            return choice.master;
        }
        List<String> masters = ClusterFile.read(choice.dir).masters();
        TransportSecurity s = security(); // a missing certificate is the user's error, not a dead master
        for (String m : masters) {
            try (BatchClient c = BatchClient.connect(m, s)) {
                c.workers();
                return m;
            } catch (RemoteException e) {
                // Credentials every master would refuse alike: say why now rather than "no active master".
                if ("UNAUTHENTICATED".equals(e.code())) throw e;
            } catch (RuntimeException e) {
                // a standby, or down: try the next
            }
        }
        throw new CliException("no active master among " + masters + " (is the cluster in " + choice.dir + " up?)");
    }

    /** Waits, bounded, for some master of the cluster to be active (after a fail-over). */
    String awaitActive(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return resolve();
            } catch (CliException e) {
                if (System.nanoTime() > deadline) throw e;
                LockSupport.parkNanos(250_000_000L);
            }
        }
    }
}
