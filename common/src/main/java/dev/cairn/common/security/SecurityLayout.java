package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where a cluster's security material lives below a directory (a cluster's {@code --dir}):
 *
 * <pre>
 * security/ca.pem            the CA certificate every node and client trusts
 * security/ca-key.pem        the CA's key and certificate (0600): needed only to issue certificates
 * security/nodes/NAME.pem    a node's key and certificate chain (0600)
 * security/users/NAME.pem    a user's key and certificate chain (0600)
 * </pre>
 *
 * The {@code security} directory itself is readable by its owner only.
 */
public record SecurityLayout(Path root) {
    /** The layout under {@code dir/security}. */
    public static SecurityLayout under(Path dir) {
        return new SecurityLayout(dir.resolve("security"));
    }

    public Path caCertificate() {
        return root.resolve("ca.pem");
    }

    public Path caIdentity() {
        return root.resolve("ca-key.pem");
    }

    public Path node(String name) {
        return root.resolve("nodes").resolve(checked(name) + ".pem");
    }

    public Path user(String name) {
        return root.resolve("users").resolve(checked(name) + ".pem");
    }

    public boolean initialized() {
        return Files.isRegularFile(caCertificate()) && Files.isRegularFile(caIdentity());
    }

    /**
     * Makes a new CA here, or loads the one already here.
     *
     * @return the CA
     */
    public CertificateAuthority initialize(String cluster, Duration validity, Clock clock) throws IOException {
        if (initialized()) return CertificateAuthority.load(caIdentity(), clock);
        SecureFiles.privateDirectory(root);
        SecureFiles.privateDirectory(root.resolve("nodes"));
        SecureFiles.privateDirectory(root.resolve("users"));
        CertificateAuthority ca = CertificateAuthority.create(cluster, validity, clock);
        ca.identity().write(caIdentity());
        SecureFiles.writeAtomically(
                caCertificate(),
                Pem.encode(null, List.of(ca.certificate())).getBytes(StandardCharsets.US_ASCII),
                false);
        return ca;
    }

    /** Loads the CA kept here, or fails naming the command that makes one. */
    public CertificateAuthority authority(Clock clock) throws IOException {
        if (!initialized())
            throw new IOException("no cluster CA under " + root + ": run `bin/cairn security init --dir "
                    + root.getParent() + "` first");
        return CertificateAuthority.load(caIdentity(), clock);
    }

    /** The TLS material of node {@code name}, trusting this cluster's CA. */
    public TlsMaterial nodeMaterial(String name, Duration recheck, Clock clock) throws IOException {
        return TlsMaterial.load(node(name), caCertificate(), recheck, clock);
    }

    /** The TLS material of user {@code name}, trusting this cluster's CA. */
    public TlsMaterial userMaterial(String name, Duration recheck, Clock clock) throws IOException {
        return TlsMaterial.load(user(name), caCertificate(), recheck, clock);
    }

    private static String checked(String name) {
        if (!CertificateAuthority.NAME.matcher(name).matches())
            throw new IllegalArgumentException("'" + name + "' is not a valid node or user name");
        return name;
    }
}
