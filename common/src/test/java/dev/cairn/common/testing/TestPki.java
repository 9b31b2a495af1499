package dev.cairn.common.testing;

import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.common.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for tests of TLS endpoints: a cluster CA under a directory, and the transport
 * security of its nodes and users, of a node of another cluster's CA, and of a node whose
 * certificate has expired.
 */
public final class TestPki {
    private static final Duration YEAR = Duration.ofDays(365);

    private final Path dir;
    private final SecurityLayout layout;
    private final CertificateAuthority ca;
    private final Clock clock = Clock.system();

    private TestPki(Path dir) throws IOException {
        this.dir = dir;
        this.layout = SecurityLayout.under(dir);
        this.ca = layout.initialize("test", YEAR, clock);
    }

    /** A new cluster CA under {@code dir}. */
    public static TestPki under(Path dir) {
        try {
            return new TestPki(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public SecurityLayout layout() {
        return layout;
    }

    /** A node of this cluster, named for {@code 127.0.0.1} and {@code localhost}. */
    public TransportSecurity node(String name) {
        try {
            if (!java.nio.file.Files.exists(layout.node(name)))
                ca.issueNode(name, List.of("127.0.0.1", "localhost"), YEAR).write(layout.node(name));
            return TransportSecurity.mutualTls(layout.nodeMaterial(name, Duration.ofSeconds(30), clock));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A user of this cluster. */
    public TransportSecurity user(String name) {
        try {
            if (!java.nio.file.Files.exists(layout.user(name)))
                ca.issueUser(name, YEAR).write(layout.user(name));
            return TransportSecurity.mutualTls(layout.userMaterial(name, Duration.ofSeconds(30), clock));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node whose certificate another cluster's CA signed: this cluster's nodes must refuse it. */
    public TransportSecurity foreignNode(String name) {
        return under(dir.resolve("foreign")).node(name);
    }

    /** A node of this cluster whose certificate expired a day ago. */
    public TransportSecurity expiredNode(String name) {
        try {
            ManualClock past = new ManualClock(clock.millis() - TimeUnit.DAYS.toMillis(3));
            CertificateAuthority old = CertificateAuthority.load(layout.caIdentity(), past);
            old.issueNode(name, List.of("127.0.0.1", "localhost"), Duration.ofDays(2))
                    .write(layout.node(name));
            return TransportSecurity.mutualTls(layout.nodeMaterial(name, Duration.ofSeconds(30), clock));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
