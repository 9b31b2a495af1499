package dev.cairn.common.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is on the other end of an authenticated connection: a cluster node or a user, by the name
 * in its certificate's subject ({@code CN=name, OU=node|user, O=...}).
 *
 * @param name the subject's common name: the node name or the user name
 * @param kind whether the certificate was issued to a node or to a user
 */
public record CairnPrincipal(String name, Kind kind) {
    /** What a certificate was issued to: the {@code OU} of its subject. */
    public enum Kind {
        NODE,
        USER
    }

    public CairnPrincipal {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a principal needs a name");
    }

    /** The prefix of a subject's {@code OU} values that name a group its user belongs to. */
    public static final String GROUP_PREFIX = "group:";

    /** The groups a user certificate names as {@code OU=group:<g>} RDNs, sorted; empty for none or a bad subject. */
    public static java.util.List<String> groups(X509Certificate certificate) {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                String value = String.valueOf(rdn.getValue());
                if (rdn.getType().equalsIgnoreCase("OU") && value.startsWith(GROUP_PREFIX)) {
                    String g = value.substring(GROUP_PREFIX.length());
                    if (!g.isBlank()) out.add(g);
                }
            }
        } catch (InvalidNameException e) {
            return java.util.List.of();
        }
        return java.util.List.copyOf(out);
    }

    /** The groups the authenticated peer of a TLS session belongs to (see {@link #groups(X509Certificate)}). */
    public static java.util.List<String> groups(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? groups(x) : java.util.List.of();
        } catch (SSLPeerUnverifiedException e) {
            return java.util.List.of();
        }
    }

    /** The principal a certificate names, or empty when its subject lacks a CN or a known OU. */
    public static Optional<CairnPrincipal> of(X509Certificate certificate) {
        String cn = null;
        Kind kind = null;
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                String value = String.valueOf(rdn.getValue());
                switch (rdn.getType().toUpperCase(Locale.ROOT)) {
                    case "CN" -> cn = value;
                    case "OU" -> {
                        if (value.equals("node")) kind = Kind.NODE;
                        else if (value.equals("user")) kind = Kind.USER;
                    }
                    default -> {}
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return cn == null || kind == null || cn.isBlank()
                ? Optional.empty()
                : Optional.of(new CairnPrincipal(cn, kind));
    }

    /** The authenticated peer of a TLS session, or empty when the peer sent no certificate Cairn knows. */
    public static Optional<CairnPrincipal> of(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + " " + name;
    }
}
