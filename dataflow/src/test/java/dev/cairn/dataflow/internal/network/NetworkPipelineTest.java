package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowException;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.internal.graph.Edge;
import dev.cairn.dataflow.internal.graph.LogicalGraph;
import dev.cairn.dataflow.internal.graph.Partitioning;
import dev.cairn.dataflow.internal.runtime.LocalExecutor;
import dev.cairn.dataflow.window.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole dataflows whose exchanges run over TCP on loopback between two nodes in this JVM: the
 * source stage on one, the keyed windows on the other, with exact results.
 */
@Timeout(60)
class NetworkPipelineTest {
    public record Reading(String sensor, long time, long value) {}

    private static final int READINGS = 30_000;

    @Test
    void aKeyedWindowAggregationAcrossTwoNodesIsExact() throws Exception {
        assertExactOverTcp(StagePlacement::new);
    }

    @Test
    void subtasksSpreadOverBothNodesAreExactToo() throws Exception {
        assertExactOverTcp(graph -> (operator, subtask) -> subtask % 2);
    }

    @Test
    void aConsumerThatThrowsOnTheOtherNodeCancelsTheWholeDataflow() throws Exception {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        flow.fromCollection(readings(7L), Codecs.record(Reading.class))
                .rebalance()
                .map(r -> r, Codecs.record(Reading.class))
                .keyBy(Reading::sensor, Codecs.STRING)
                .reduce((x, y) -> {
                    if (y.value() == 999) throw new IllegalStateException("boom at " + y);
                    return y;
                })
                .name("Explode")
                .collect();
        LogicalGraph graph = flow.toGraph();
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 2))) {
            NetworkExchanges exchanges = new NetworkExchanges(2, List.of(nodes.a, nodes.b), new StagePlacement(graph));
            assertThatThrownBy(() ->
                            new LocalExecutor(DataflowOptions.defaults().withParallelism(2), exchanges).execute(graph))
                    .isInstanceOf(DataflowException.class)
                    .hasMessageContaining("operator 'Explode'")
                    .hasMessageContaining("boom at");
        }
    }

    interface PlacementFactory {
        NetworkExchanges.Placement of(LogicalGraph graph);
    }

    private static void assertExactOverTcp(PlacementFactory placement) throws Exception {
        List<Reading> readings = readings(20261207L);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<Reading> sums = flow.fromCollection(readings, Codecs.record(Reading.class))
                .rebalance()
                .map(r -> r, Codecs.record(Reading.class))
                .parallelism(3)
                .assignTimestamps(Reading::time, WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(1)))
                .keyBy(Reading::sensor, Codecs.STRING)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .reduce((a, b) -> new Reading(a.sensor(), Math.min(a.time(), b.time()), a.value() + b.value()))
                .collect();
        LogicalGraph graph = flow.toGraph();

        NetworkSettings settings = TwoNodes.settings(4096, 2, 4);
        try (TwoNodes nodes = new TwoNodes(settings)) {
            NetworkExchanges exchanges = new NetworkExchanges(1, List.of(nodes.a, nodes.b), placement.of(graph));
            new LocalExecutor(DataflowOptions.defaults().withParallelism(2), exchanges).execute(graph);

            int channels = 0;
            for (Edge e : graph.edges()) {
                if (graph.isChained(e)) continue;
                int producers = graph.nodes().get(e.source()).parallelism();
                channels += e.isForward()
                        ? producers
                        : producers * graph.nodes().get(e.target()).parallelism();
            }
            assertThat(channels)
                    .as("the rebalance (1 x 3) and keyBy (3 x 2) at least")
                    .isGreaterThanOrEqualTo(9);
            assertThat(exchanges.writers())
                    .as("every exchanged channel went over TCP")
                    .hasSize(channels);
            assertThat(sums.get()).containsExactlyInAnyOrderElementsOf(expected(readings));
            for (RemoteChannelWriter w : exchanges.writers())
                assertThat(w.channel().peakOccupied()).isLessThanOrEqualTo(settings.buffersPerChannel());
            for (RemoteInputGate g : exchanges.gates())
                assertThat(g.peakHeldBuffers())
                        .isLessThanOrEqualTo(
                                settings.buffersPerChannel() * g.channelCount() + settings.floatingBuffersPerGate());
            nodes.assertNoBuffersHeld();
        }
    }

    /** Seeded readings of 50 sensors, out of order by up to a second, never later than the watermark allows. */
    static List<Reading> readings(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Reading> readings = new ArrayList<>(READINGS);
        for (int i = 0; i < READINGS; i++)
            readings.add(
                    new Reading("sensor-" + random.nextInt(50), i * 3L + random.nextInt(1000), random.nextInt(1000)));
        return readings;
    }

    /** Per sensor and 10 s window: the earliest time and the sum of the values. */
    static List<Reading> expected(List<Reading> readings) {
        Map<String, Reading> windows = new LinkedHashMap<>();
        for (Reading r : readings) {
            windows.merge(
                    r.sensor() + "/" + r.time() / 10_000,
                    r,
                    (a, b) -> new Reading(a.sensor(), Math.min(a.time(), b.time()), a.value() + b.value()));
        }
        return List.copyOf(windows.values());
    }

    /** Everything up to the keyed exchange on node 0, the keyed stage and after on node 1. */
    record StagePlacement(Set<Integer> downstream) implements NetworkExchanges.Placement {
        StagePlacement(LogicalGraph graph) {
            this(keyedDownstream(graph));
        }

        private static Set<Integer> keyedDownstream(LogicalGraph graph) {
            Set<Integer> after = new HashSet<>();
            for (Edge e : graph.edges())
                if (e.partitioning() instanceof Partitioning.KeyGroupHash<?, ?>) after.add(e.target());
            boolean grew = true;
            while (grew) {
                grew = false;
                for (Edge e : graph.edges()) if (after.contains(e.source())) grew |= after.add(e.target());
            }
            return after;
        }

        @Override
        public int nodeOf(int operatorId, int subtask) {
            return downstream.contains(operatorId) ? 1 : 0;
        }
    }
}
