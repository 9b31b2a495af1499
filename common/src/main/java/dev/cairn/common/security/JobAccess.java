package dev.cairn.common.security;

import java.util.Locale;
import java.util.Optional;

/**
 * Who may do what to a job: it belongs to its owner (the user who submitted it), and only the
 * owner or an {@linkplain Admins admin} may see its details, cancel it or read what it produced.
 *
 * <p>The caller is the principal its connection authenticated; an empty caller means a plain-text
 * cluster, where nobody is authenticated and nothing is enforced (the owner there is the name the
 * client claimed, as under Hadoop's simple authentication).
 *
 * @param admins who holds every right
 */
public record JobAccess(Admins admins) {
    /** What a caller may do to a job. */
    public enum Right {
        /** See its status, tasks, progress and attempt logs. */
        VIEW,
        /** Cancel or stop it, take its savepoints. */
        CANCEL;

        String verb() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Nothing enforced beyond "nodes hold every right": for plain clusters and tests. */
    public static JobAccess nodesOnly() {
        return new JobAccess(Admins.nodesOnly());
    }

    /** Whether {@code caller} (empty: unauthenticated, plain text) may see or act on a job {@code owner} owns. */
    public boolean allows(Optional<CairnPrincipal> caller, String owner) {
        if (caller.isEmpty()) return true;
        CairnPrincipal p = caller.get();
        return admins.includes(p)
                || (p.kind() == CairnPrincipal.Kind.USER && p.name().equals(owner));
    }

    /**
     * Refuses {@code caller} the {@code right} on job {@code jobId} unless it is the job's owner or
     * an admin.
     *
     * @throws PermissionDeniedException {@code permission denied: user bob may not cancel job job-0001}
     */
    public void check(Optional<CairnPrincipal> caller, String jobId, String owner, Right right) {
        if (!allows(caller, owner))
            throw new PermissionDeniedException(
                    "permission denied: " + caller.orElseThrow() + " may not " + right.verb() + " job " + jobId);
    }

    /**
     * The owner a job submitted by {@code caller} gets: the authenticated user's name, or in plain
     * text the name the client claimed ({@code claimed}, its {@code user.name}; "unknown" when it
     * sent none).
     */
    public static String ownerOf(Optional<CairnPrincipal> caller, String claimed) {
        if (caller.isPresent()) return caller.get().name();
        return claimed == null || claimed.isBlank() ? "unknown" : claimed;
    }
}
