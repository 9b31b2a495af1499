package dev.cairn.node.archfixture;

import dev.cairn.coord.internal.raft.RaftPeerAddress;

/** Breaks the module boundary on purpose, for {@code ArchitectureTest.theRulesCatchViolations}. */
public final class NodeClassUsingCoordInternals {
    public String peer() {
        return new RaftPeerAddress("a", "127.0.0.1", 1).address();
    }
}
