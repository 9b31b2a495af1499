package dev.cairn.coord.internal.tree;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * ZooKeeper's ACL rules: which ACLs a client may set (schemes world, auth, digest and ip), and
 * whether a client's identities grant a permission.
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
        LinkedHashSet<Acl> out = new LinkedHashSet<>();
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
                default -> {
                    return null;
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** True when one of the client's identities is granted {@code perm} by {@code acl}; an empty ACL grants everything. */
    static boolean permits(List<Acl> acl, int perm, List<Id> clientIds) {
        if (acl.isEmpty()) return true;
        for (Acl a : acl) {
            if ((a.perms() & perm) == 0) continue;
            Id id = a.id();
            if (id.scheme().equals("world") && id.id().equals("anyone")) return true;
            for (Id cid : clientIds) {
                if (!cid.scheme().equals(id.scheme())) continue;
                boolean match = switch (id.scheme()) {
                    case "digest" -> cid.id().equals(id.id());
                    case "ip" -> ipMatches(cid.id(), id.id());
                    default -> false;
                };
                if (match) return true;
            }
        }
        return false;
    }

    /** Digest identities are proven by a password; an ip is not an authentication (as in ZooKeeper). */
    private static boolean isAuthenticated(Id id) {
        return id.scheme().equals("digest");
    }

    private static boolean isValidIpPattern(String pattern) {
        int slash = pattern.indexOf('/');
        String addr = slash < 0 ? pattern : pattern.substring(0, slash);
        if (ipv4(addr) == null) return false;
        if (slash < 0) return true;
        try {
            int bits = Integer.parseInt(pattern.substring(slash + 1));
            return bits >= 0 && bits <= 32;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean ipMatches(String clientIp, String pattern) {
        int slash = pattern.indexOf('/');
        byte[] want = ipv4(slash < 0 ? pattern : pattern.substring(0, slash));
        byte[] have = ipv4(clientIp);
        if (want == null || have == null) return clientIp.equals(pattern);
        int bits = slash < 0 ? 32 : Integer.parseInt(pattern.substring(slash + 1));
        for (int i = 0; i < 4; i++) {
            int maskBits = Math.max(0, Math.min(8, bits - 8 * i));
            int mask = (0xff << (8 - maskBits)) & 0xff;
            if ((want[i] & mask) != (have[i] & mask)) return false;
        }
        return true;
    }

    /** Parses a dotted IPv4 literal without any name lookup; null when it is not one. */
    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) return null;
            int v = Integer.parseInt(parts[i]);
            if (v > 255) return null;
            b[i] = (byte) v;
        }
        return b;
    }
}
