package dev.cairn.common.security;

import java.util.Collection;
import java.util.Set;

/**
 * Who holds every right in a secure cluster: every node (they run the cluster's own work on its
 * users' behalf) and the users {@code security.admins} names. The one rule coord's super users,
 * the masters' job access and the dashboard all apply.
 *
 * @param users the user names (certificate common names of kind user) that are admins
 */
public record Admins(Set<String> users) {
    public Admins {
        users = Set.copyOf(users);
    }

    /** Admins named by {@code users}, say {@code security.admins}. */
    public static Admins of(Collection<String> users) {
        return new Admins(Set.copyOf(users));
    }

    /** No admin users: only nodes hold every right. */
    public static Admins nodesOnly() {
        return new Admins(Set.of());
    }

    /** Whether {@code principal} holds every right: a node, or a user named an admin. */
    public boolean includes(CairnPrincipal principal) {
        return principal.kind() == CairnPrincipal.Kind.NODE || users.contains(principal.name());
    }
}
