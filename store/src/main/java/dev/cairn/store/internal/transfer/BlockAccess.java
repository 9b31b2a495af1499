package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.store.internal.disk.BlockId;
import java.io.IOException;
import java.util.List;

/**
 * Who may read or write a block on a store node's data port in a secure cluster. Nodes are always
 * allowed (pipelines, repair); a user only for a block of a file they may read, or of a write they
 * started. The server asks before serving; a refusal is a one-line reason sent to the peer.
 */
public interface BlockAccess {
    /**
     * Why {@code user} may not read {@code block} as part of {@code file}, or null if they may.
     *
     * @param file the store path the reader names in its request (empty if none)
     */
    String refuseRead(CairnPrincipal user, List<String> groups, String file, BlockId block) throws IOException;

    /**
     * Why {@code user} may not write {@code block} for the pending write {@code pendingWrite}, or null if they may.
     *
     * @param pendingWrite the coord znode of the write the writer names in its request (empty if none)
     */
    String refuseWrite(CairnPrincipal user, String pendingWrite, BlockId block) throws IOException;

    /**
     * Why {@code user} may not make a request that is for nodes (deleting or replicating blocks:
     * garbage collection and repair), or null if they may.
     *
     * @param what the request, as the refusal names it ("delete blocks")
     */
    String refuseNodeRequest(CairnPrincipal user, String what);

    /** Lets everyone do everything: plain text clusters, where nobody is authenticated. */
    BlockAccess OPEN = new BlockAccess() {
        @Override
        public String refuseRead(CairnPrincipal user, List<String> groups, String file, BlockId block) {
            return null;
        }

        @Override
        public String refuseWrite(CairnPrincipal user, String pendingWrite, BlockId block) {
            return null;
        }

        @Override
        public String refuseNodeRequest(CairnPrincipal user, String what) {
            return null;
        }
    };
}
