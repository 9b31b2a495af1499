package dev.cairn.store.internal.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockPlacementTest {
    private static NodeInfo node(String id, long free, int transfers) {
        return new NodeInfo(id, "127.0.0.1:1", free, 0, 0, transfers);
    }

    @Test
    void theWritersOwnNodeComesFirstThenDistinctOthers() {
        BlockPlacement p = new BlockPlacement(new Random(1));
        List<NodeInfo> live = List.of(node("a", 10, 0), node("b", 10, 0), node("c", 10, 0), node("d", 10, 0));
        for (int i = 0; i < 100; i++) {
            List<String> chosen =
                    p.choose(live, 3, "c", Set.of()).stream().map(NodeInfo::id).toList();
            assertThat(chosen).hasSize(3).doesNotHaveDuplicates().startsWith("c");
        }
    }

    @Test
    void fewerThanAskedWhenFewerAreLiveAndNeitherExcludedNorFullOnes() {
        BlockPlacement p = new BlockPlacement(new Random(2));
        List<NodeInfo> live = List.of(node("a", 10, 0), node("b", 0, 0), node("c", 10, 0));
        assertThat(p.choose(live, 3, null, Set.of("c")))
                .extracting(NodeInfo::id)
                .containsExactly("a");
    }

    @Test
    void nodesAreDrawnByFreeSpaceAndAvoidedWhenBusy() {
        BlockPlacement p = new BlockPlacement(new Random(3));
        List<NodeInfo> live = List.of(node("roomy", 900, 0), node("full", 100, 0));
        int roomy = 0;
        for (int i = 0; i < 10_000; i++)
            if (p.choose(live, 1, null, Set.of()).getFirst().id().equals("roomy")) roomy++;
        assertThat(roomy).isBetween(8_700, 9_300); // 90% expected

        List<NodeInfo> busy = List.of(node("busy", 500, 9), node("idle", 500, 0));
        int idle = 0;
        for (int i = 0; i < 10_000; i++)
            if (p.choose(busy, 1, null, Set.of()).getFirst().id().equals("idle")) idle++;
        assertThat(idle).isBetween(8_700, 9_300); // weights 50 and 500: 91% expected
    }
}
