package dev.cairn.coord.internal.tree;

import java.util.Objects;

/**
 * An identity in ZooKeeper's ACL model: a scheme ({@code world}, {@code auth}, {@code digest},
 * {@code ip}, {@code x509}, and Cairn's {@code user} and {@code group}) and an id. A client holding an identity of scheme {@link #SUPER} is
 * granted everything by every ACL (ZooKeeper's super user); only the server gives it.
 */
public record Id(String scheme, String id) {
    public static final Id ANYONE = new Id("world", "anyone");
    /** The scheme of a super user's identity. */
    public static final String SUPER = "super";
    /** The scheme of a user's name, from the CN of a user certificate (Cairn's, not ZooKeeper's). */
    public static final String USER = "user";
    /** The scheme of a group a user belongs to, from its certificate's {@code OU=group:<g>} RDNs. */
    public static final String GROUP = "group";

    public Id {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(id, "id");
    }
}
