package dev.cairn.node.archfixture;

import dev.cairn.rpc.grpc.Channels;

/** Reaches for the transport toolkit on purpose, for {@code ArchitectureTest.theRulesCatchViolations}. */
public final class NodeClassUsingTransportToolkit {
    public void use() {
        new Channels().close();
    }
}
