package dev.cairn.rpc;

import dev.cairn.common.fs.FsUser;
import dev.cairn.common.security.Admins;
import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.common.security.PermissionDeniedException;
import dev.cairn.rpc.grpc.PrincipalInterceptor;
import java.util.List;
import java.util.Optional;

/**
 * Who made the RPC a handler is serving: the node or user its TLS client certificate names, or the
 * user of the token a client without a certificate presented (on a server that takes tokens). Empty
 * on a plain-text server (no one is authenticated there) and outside a handler.
 */
public final class RpcCaller {
    private RpcCaller() {}

    /** The authenticated caller of the call this thread serves. */
    public static Optional<CairnPrincipal> current() {
        return PrincipalInterceptor.current();
    }

    /**
     * The groups of the caller of the call this thread serves, as its certificate names them
     * ({@code OU=group:G}); none for a token's user, on a plain-text server and outside a handler.
     */
    public static List<String> groups() {
        return PrincipalInterceptor.currentGroups();
    }

    /**
     * The caller as file permissions see it, when files must be checked on its behalf: an
     * authenticated user who is not an admin. Empty for a node or an admin (they may read and
     * write anything), and on a plain-text server (nothing is enforced there).
     */
    public static Optional<FsUser> fileUser(Admins admins) {
        Optional<CairnPrincipal> caller = current();
        if (caller.isEmpty() || admins.includes(caller.get())) return Optional.empty();
        return Optional.of(new FsUser(caller.get().name(), groups()));
    }

    /**
     * Refuses the call this thread serves unless a node made it, when callers are authenticated:
     * what only a cluster's own nodes may do (register or heartbeat as a worker, commit a task), a
     * user's certificate or token must not.
     *
     * @param what the action refused, for the message ("register as a worker")
     * @throws PermissionDeniedException naming the caller and the action
     */
    public static void requireNode(String what) {
        Optional<CairnPrincipal> caller = current();
        if (caller.isPresent() && caller.get().kind() != CairnPrincipal.Kind.NODE)
            throw new PermissionDeniedException(
                    "permission denied: " + caller.get() + " may not " + what + ": only nodes may");
    }
}
