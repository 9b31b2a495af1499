package dev.cairn.coord.internal.tree;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * ZooKeeper's ACL rules: which ACLs a client may set (schemes world, auth, digest, ip and x509, and
 * Cairn's user and group, which a TLS client's certificate gives it),
 * and whether a client's identities grant a permission.
 */
final class Acls {
    private Acls() {}

    /**
     * The ACL to store for a requested one, or null when it is invalid (ZooKeeper's INVALIDACL):
     * empty, an unknown scheme or malformed id, or the {@code auth} scheme from a client that has
     * not authenticated. {@code auth} entries expand to every authenticated identity of the client.
     */
    static List<Acl> fixup(List<Acl> requested, List<Id> clientIds) {
        if (requested.isEmpty()) return null;
        // Duplicates are dropped from the request only; an "auth" entry may still expand to an id
        // that is also listed, and ZooKeeper then stores it twice.
        List<Acl> out = new ArrayList<>();
        for (Acl a : new LinkedHashSet<>(requested)) {
            Id id = a.id();
            switch (id.scheme()) {
                case "world" -> {
                    if (!id.id().equals("anyone")) return null;
                    out.add(a);
                }
                case "auth" -> {
                    boolean any = false;
                    for (Id cid : clientIds) {
                        if (isAuthenticated(cid)) {
                            out.add(new Acl(a.perms(), cid));
                            any = true;
                        }
                    }
                    if (!any) return null;
                }
                case "digest" -> {
                    if (id.id().split(":").length != 2) return null;
                    out.add(a);
                }
                case "ip" -> {
                    if (!isValidIpPattern(id.id())) return null;
                    out.add(a);
                }
                case "x509" -> {
                    // A certificate's subject DN: anything but empty (ZooKeeper's x509 provider checks no more).
                    if (id.id().isEmpty()) return null;
                    out.add(a);
                }
                case Id.USER, Id.GROUP -> {
                    // A name from a certificate: what CertificateAuthority.NAME allows.
                    if (!id.id().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) return null;
                    out.add(a);
                }
                default -> {
                    return null;
                }
            }
        }
        return out;
    }

    /** True when one of the client's identities is granted {@code perm} by {@code acl}; an empty ACL grants everything. */
    static boolean permits(List<Acl> acl, int perm, List<Id> clientIds) {
        // As in ZooKeeper: a super user passes every check.
        for (Id cid : clientIds) if (cid.scheme().equals(Id.SUPER)) return true;
        if (acl.isEmpty()) return true;
        for (Acl a : acl) {
            if ((a.perms() & perm) == 0) continue;
            Id id = a.id();
            if (id.scheme().equals("world") && id.id().equals("anyone")) return true;
            for (Id cid : clientIds) {
                if (!cid.scheme().equals(id.scheme())) continue;
                boolean match = switch (id.scheme()) {
                    case "digest", "x509", Id.USER, Id.GROUP -> cid.id().equals(id.id());
                    case "ip" -> ipMatches(cid.id(), id.id());
                    default -> false;
                };
                if (match) return true;
            }
        }
        return false;
    }

    /**
     * Digest identities are proven by a password, x509 ones by a certificate; an ip is not an
     * authentication (as in ZooKeeper), and a super user's identity is no one to grant rights to.
     */
    private static boolean isAuthenticated(Id id) {
        return id.scheme().equals("digest") || id.scheme().equals("x509");
    }

    /** An address (IPv4 or IPv6), optionally with a prefix length no longer than the address. */
    private static boolean isValidIpPattern(String pattern) {
        String[] parts = pattern.split("/", 2);
        byte[] addr = address(parts[0]);
        if (addr == null) return false;
        return parts.length == 1 || prefixBits(parts[1], addr.length) >= 0;
    }

    private static boolean ipMatches(String clientIp, String pattern) {
        String[] parts = pattern.split("/", 2);
        byte[] want = address(parts[0]);
        if (want == null) return false;
        int bits = parts.length == 1 ? want.length * 8 : prefixBits(parts[1], want.length);
        byte[] have = address(clientIp);
        if (bits < 0 || have == null || have.length != want.length) return false;
        for (int i = 0; i < want.length; i++) {
            int maskBits = Math.max(0, Math.min(8, bits - 8 * i));
            int mask = (0xff << (8 - maskBits)) & 0xff;
            if ((want[i] & mask) != (have[i] & mask)) return false;
        }
        return true;
    }

    /** The prefix length, or -1 when it is not a number in [0, 8 * addressBytes]. */
    private static int prefixBits(String s, int addressBytes) {
        try {
            int bits = Integer.parseInt(s);
            return bits >= 0 && bits <= addressBytes * 8 ? bits : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Parses an IP literal as ZooKeeper does (a ':' means IPv6, else a '.' IPv4), never looking a name up; null when it is not one. */
    static byte[] address(String s) {
        if (s.indexOf(':') >= 0) return ipv6(s);
        if (s.indexOf('.') >= 0) return ipv4(s);
        return null;
    }

    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            try {
                // Integer.parseInt, as in ZooKeeper: "+1" and "001" are accepted too.
                int v = Integer.parseInt(parts[i]);
                if (v < 0 || v > 255) return null;
                b[i] = (byte) v;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return b;
    }

    /** Eight groups of one to four hex digits, or fewer with a single "::" standing for zero groups or more. */
    private static byte[] ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return null;
        String[] groups;
        if (gap < 0) {
            groups = s.split(":", -1);
            if (groups.length != 8) return null;
        } else {
            String[] left = gap == 0 ? new String[0] : s.substring(0, gap).split(":", -1);
            String[] right =
                    gap + 2 == s.length() ? new String[0] : s.substring(gap + 2).split(":", -1);
            if (left.length + right.length > 7) return null;
            groups = new String[8];
            java.util.Arrays.fill(groups, "0");
            System.arraycopy(left, 0, groups, 0, left.length);
            System.arraycopy(right, 0, groups, 8 - right.length, right.length);
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            String g = groups[i];
            if (g.isEmpty() || g.length() > 4) return null;
            for (int k = 0; k < g.length(); k++) {
                if ("0123456789abcdefABCDEF".indexOf(g.charAt(k)) < 0) return null;
            }
            int v = Integer.parseInt(g, 16);
            b[2 * i] = (byte) (v >> 8);
            b[2 * i + 1] = (byte) v;
        }
        return b;
    }
}
