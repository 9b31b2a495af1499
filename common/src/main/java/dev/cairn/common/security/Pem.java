package dev.cairn.common.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the PEM files Cairn's security material lives in: {@code CERTIFICATE} blocks and
 * unencrypted PKCS#8 {@code PRIVATE KEY} blocks, the form ZooKeeper's client ({@code
 * zookeeper.ssl.keyStore.type=PEM}), OpenSSL and curl read as they are.
 */
final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    /** The blocks of one PEM file: its private key (or null) and its certificates, in file order. */
    record Contents(PrivateKey key, List<X509Certificate> certificates) {}

    private Pem() {}

    static Contents read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e, e);
        }
        PrivateKey key = null;
        List<X509Certificate> certificates = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": a " + m.group(1) + " block is not base64", e);
            }
            switch (m.group(1)) {
                case "CERTIFICATE" -> {
                    try {
                        certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                    } catch (CertificateException e) {
                        throw new IOException(
                                file + ": certificate " + (certificates.size() + 1) + " is malformed: "
                                        + e.getMessage(),
                                e);
                    }
                }
                case "PRIVATE KEY" -> {
                    if (key != null) throw new IOException(file + " holds more than one private key");
                    key = privateKey(file, der);
                }
                default ->
                    throw new IOException(file + ": unexpected PEM block " + m.group(1)
                            + " (Cairn reads CERTIFICATE and unencrypted PKCS#8 PRIVATE KEY blocks)");
            }
        }
        if (key == null && certificates.isEmpty()) throw new IOException(file + " holds no PEM block");
        return new Contents(key, List.copyOf(certificates));
    }

    private static PrivateKey privateKey(Path file, byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // not this algorithm: try the next
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks the " + algorithm + " key factory", e);
            }
        }
        throw new IOException(file + ": the private key is neither an EC, RSA nor Ed25519 PKCS#8 key");
    }

    static String encode(PrivateKey key, List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        if (key != null) block(out, "PRIVATE KEY", key.getEncoded());
        for (X509Certificate c : certificates) {
            try {
                block(out, "CERTIFICATE", c.getEncoded());
            } catch (CertificateException e) {
                throw new IllegalStateException("cannot encode certificate " + c.getSubjectX500Principal(), e);
            }
        }
        return out.toString();
    }

    private static void block(StringBuilder out, String type, byte[] der) {
        out.append("-----BEGIN ").append(type).append("-----\n");
        out.append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
                .append('\n');
        out.append("-----END ").append(type).append("-----\n");
    }
}
