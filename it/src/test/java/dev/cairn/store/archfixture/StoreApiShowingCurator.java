package dev.cairn.store.archfixture;

import org.apache.curator.framework.CuratorFramework;

/** Shows a Curator type in a public signature on purpose, for {@code ArchitectureTest.theRulesCatchViolations}. */
public final class StoreApiShowingCurator {
    public String connectString(CuratorFramework coord) {
        return coord.getZookeeperClient().getCurrentConnectionString();
    }
}
