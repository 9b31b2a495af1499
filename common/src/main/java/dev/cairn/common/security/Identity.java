package dev.cairn.common.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A private key with its certificate chain (the holder's certificate first, then its issuers),
 * kept in one PEM file readable by its owner only.
 */
public record Identity(PrivateKey key, List<X509Certificate> chain) {
    public Identity {
        if (chain.isEmpty()) throw new IllegalArgumentException("an identity needs its certificate");
        chain = List.copyOf(chain);
    }

    /** The holder's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Reads a PEM file holding one private key and its certificate chain. */
    public static Identity read(Path file) throws IOException {
        Pem.Contents pem = Pem.read(file);
        if (pem.key() == null) throw new IOException(file + " holds no private key");
        if (pem.certificates().isEmpty()) throw new IOException(file + " holds no certificate");
        return new Identity(pem.key(), pem.certificates());
    }

    /**
     * Writes the key and chain to {@code file} (mode 0600), replacing it atomically: a node
     * reloading the file sees the old identity or the new one, never half of either.
     */
    public void write(Path file) throws IOException {
        SecureFiles.writeAtomically(file, Pem.encode(key, chain).getBytes(StandardCharsets.US_ASCII), true);
    }
}
