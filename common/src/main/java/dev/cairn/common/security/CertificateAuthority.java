package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority: it makes the cluster's root certificate and issues node and
 * user certificates under it. Keys are EC P-256 and certificates are signed with SHA-256 ECDSA,
 * which every TLS 1.3 peer (the JDK, gRPC's Netty, ZooKeeper's client, OpenSSL) accepts.
 *
 * <p>A node certificate names the node's host names and addresses as subject alternative names (a
 * client checks them against the address it dialled) and is good for both ends of a connection; a
 * user certificate only for the client's end. Subjects are {@code CN=name, OU=node|user, O=Cairn
 * cluster}, which {@link CairnPrincipal#of(X509Certificate)} reads back.
 */
public final class CertificateAuthority {
    /** Names of nodes and users: what may appear in a subject and a file name without escaping. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** How far back a new certificate's validity starts, so clocks a little behind ours accept it. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Identity root;
    private final String cluster;
    private final Clock clock;
    private final SecureRandom random;

    private CertificateAuthority(Identity root, String cluster, Clock clock, SecureRandom random) {
        this.root = root;
        this.cluster = cluster;
        this.clock = clock;
        this.random = random;
    }

    /** Makes a new root: a self-signed CA certificate for {@code cluster}, valid for {@code validity}. */
    public static CertificateAuthority create(String cluster, Duration validity, Clock clock) {
        SecureRandom random = new SecureRandom();
        KeyPair keys = newKeyPair(random);
        X500Principal subject = new X500Principal("CN=Cairn CA, O=" + rdnValue(cluster));
        X509Certificate ca = sign(subject, keys.getPublic(), subject, keys, null, validity, clock, random, builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
        return new CertificateAuthority(new Identity(keys.getPrivate(), List.of(ca)), cluster, clock, random);
    }

    /** Loads the CA kept in {@code caIdentity} (its key and certificate). */
    public static CertificateAuthority load(Path caIdentity, Clock clock) throws IOException {
        Identity root = Identity.read(caIdentity);
        if (root.certificate().getBasicConstraints() < 0)
            throw new IOException(caIdentity + " does not hold a CA certificate");
        String cluster = clusterOf(root.certificate());
        return new CertificateAuthority(root, cluster, clock, new SecureRandom());
    }

    /** The CA's own certificate: what every node and client trusts. */
    public X509Certificate certificate() {
        return root.certificate();
    }

    /** The CA's key and certificate, to be kept (mode 0600) where new certificates are issued. */
    public Identity identity() {
        return root;
    }

    /**
     * Issues a node's certificate, usable by its servers and its clients.
     *
     * @param hosts host names and IP addresses the node is reached by; each becomes a subject
     *     alternative name of the matching type
     */
    public Identity issueNode(String name, List<String> hosts, Duration validity) {
        checkName(name);
        if (hosts.isEmpty()) throw new IllegalArgumentException("node " + name + " needs a host name or address");
        Set<GeneralName> names = new LinkedHashSet<>();
        for (String h : hosts) names.add(generalName(h));
        GeneralNames sans = new GeneralNames(names.toArray(GeneralName[]::new));
        return issue(name, ", OU=node", validity, builder -> {
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
            }));
        });
    }

    /** Issues a user's certificate: it authenticates a client as {@code name}, a member of no group. */
    public Identity issueUser(String name, Duration validity) {
        return issueUser(name, List.of(), validity);
    }

    /**
     * Issues a user's certificate: it authenticates a client as {@code name}, a member of
     * {@code groups}. Each group is an {@code OU=group:<g>} RDN of the subject, which {@link
     * CairnPrincipal#groups(X509Certificate)} reads back; membership changes with a new certificate.
     */
    public Identity issueUser(String name, List<String> groups, Duration validity) {
        checkName(name);
        StringBuilder rdns = new StringBuilder();
        for (String g : new java.util.TreeSet<>(groups)) {
            checkName(g);
            rdns.append(", OU=").append(CairnPrincipal.GROUP_PREFIX).append(g);
        }
        return issue(
                name,
                rdns + ", OU=user",
                validity,
                builder -> builder.addExtension(
                        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
    }

    /** @param unitRdns the subject's {@code OU} RDNs, each with a leading ", " */
    private Identity issue(String name, String unitRdns, Duration validity, Extensions extensions) {
        KeyPair keys = newKeyPair(random);
        X500Principal subject = new X500Principal("CN=" + name + unitRdns + ", O=" + rdnValue(cluster));
        X509Certificate cert = sign(
                subject,
                keys.getPublic(),
                root.certificate().getSubjectX500Principal(),
                new KeyPair(root.certificate().getPublicKey(), root.key()),
                root.certificate(),
                validity,
                clock,
                random,
                builder -> {
                    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                    builder.addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                    extensions.add(builder);
                });
        List<X509Certificate> chain = new ArrayList<>(List.of(cert, root.certificate()));
        return new Identity(keys.getPrivate(), chain);
    }

    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws CertIOException;
    }

    @SuppressWarnings("JavaUtilDate") // BouncyCastle's certificate builder takes java.util.Date
    private static X509Certificate sign(
            X500Principal subject,
            PublicKey subjectKey,
            X500Principal issuer,
            KeyPair issuerKeys,
            X509Certificate issuerCertificate,
            Duration validity,
            Clock clock,
            SecureRandom random,
            Extensions extensions) {
        if (validity.isNegative() || validity.isZero())
            throw new IllegalArgumentException("a certificate's validity must be positive, not " + validity);
        long now = clock.millis();
        Date notBefore = new Date(now - BACKDATE.toMillis());
        Date notAfter = new Date(now + validity.toMillis());
        BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(issuer, serial, notBefore, notAfter, subject, subjectKey);
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    issuerCertificate == null
                            ? utils.createAuthorityKeyIdentifier(issuerKeys.getPublic())
                            : utils.createAuthorityKeyIdentifier(issuerCertificate));
            extensions.add(builder);
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make EC P-256 keys", e);
        }
    }

    private static GeneralName generalName(String host) {
        if (host.isBlank()) throw new IllegalArgumentException("empty host name");
        if (isIpLiteral(host)) {
            try {
                // a literal: no name lookup happens
                return new GeneralName(
                        GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress());
            } catch (IOException e) {
                throw new IllegalArgumentException("not an IP address: " + host, e);
            }
        }
        return new GeneralName(GeneralName.dNSName, host);
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches())
            throw new IllegalArgumentException("'" + name + "' is not a valid name: use letters, digits, '.', '_' and"
                    + " '-', starting with a letter or digit, at most 64 characters");
    }

    private static String rdnValue(String cluster) {
        return "Cairn " + cluster.replaceAll("[^A-Za-z0-9._ -]", "_");
    }

    private static String clusterOf(X509Certificate ca) {
        String dn = ca.getSubjectX500Principal().getName();
        int at = dn.indexOf("O=Cairn ");
        if (at < 0) return "cluster";
        String rest = dn.substring(at + "O=Cairn ".length());
        int comma = rest.indexOf(',');
        return comma < 0 ? rest : rest.substring(0, comma);
    }
}
