package dev.cairn.dataflow.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.batch.JobGraph;
import dev.cairn.batch.StageSpec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.Stream;
import dev.cairn.dataflow.nexmark.NexmarkQueries;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How programs are cut into stages: a pure function of the graph, checked without running anything. */
class BatchPlannerTest {
    private static final Path EVENTS = Path.of("/data/events.csv");

    private static BatchPlanner.Plan plan(Dataflow flow) {
        return BatchPlanner.plan(flow.toGraph(), "p", "/scratch", 0, 0);
    }

    @Test
    void chainsRunInOneStageAndEveryKeyByCutsOne() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        flow.readTextFile(EVENTS)
                .filter(l -> !l.isEmpty())
                .map(String::length, Codecs.INT)
                .keyBy(n -> n % 3, Codecs.INT)
                .reduce(Integer::sum)
                .keyBy(n -> n, Codecs.INT)
                .reduce(Integer::max)
                .writeAsText(Path.of("/out"));

        JobGraph job = plan(flow).job();

        assertThat(job.output()).isEqualTo("/out");
        assertThat(job.stages())
                .extracting(
                        StageSpec::name,
                        StageSpec::inputs,
                        StageSpec::parents,
                        StageSpec::tasks,
                        StageSpec::outputPartitions)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s1", List.of("/data/events.csv"), List.of(), 0, 4),
                        org.assertj.core.groups.Tuple.tuple("s2", List.of(), List.of("s1"), 4, 4),
                        org.assertj.core.groups.Tuple.tuple("s3", List.of(), List.of("s2"), 4, 0));
        assertThat(job.stages()).allMatch(s -> s.programClass().equals(BatchStageProgram.class.getName()));
    }

    record Item(long id, String name) {}

    /** A join's right side from a small local file is broadcast; from a large one (or a derived stage), shuffled. */
    @Test
    void aSmallRightSideIsBroadcastToTheLeftSidesStage(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path small = dir.resolve("small.csv");
        java.nio.file.Files.writeString(small, "1,a\n2,b\n");
        Path large = dir.resolve("large.csv");
        try (var out = java.nio.channels.FileChannel.open(
                large, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(new byte[1]), BatchPlanner.BROADCAST_JOIN_BYTES); // sparse
        }
        for (Path right : List.of(small, large)) {
            Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
            Stream<Item> items = flow.readTextFile(right)
                    .map(l -> new Item(Long.parseLong(l.split(",")[0]), l.split(",")[1]), Codecs.record(Item.class));
            flow.readTextFile(EVENTS)
                    .map(Long::parseLong, Codecs.LONG)
                    .keyBy(n -> n, Codecs.LONG)
                    .join(items.keyBy(Item::id, Codecs.LONG))
                    .apply((n, item) -> item.name(), Codecs.STRING)
                    .writeAsText(Path.of("/out"));

            JobGraph job = plan(flow).job();

            if (right.equals(small)) {
                assertThat(job.stages())
                        .extracting(StageSpec::name, StageSpec::outputPartitions, StageSpec::broadcasts)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("s1", 1, List.of()),
                                org.assertj.core.groups.Tuple.tuple("s2", 0, List.of("s1")));
            } else {
                assertThat(job.stages())
                        .extracting(StageSpec::name, StageSpec::parents)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple("s1", List.of()),
                                org.assertj.core.groups.Tuple.tuple("s2", List.of()),
                                org.assertj.core.groups.Tuple.tuple("s3", List.of("s2", "s1")));
            }
        }
    }

    @Test
    void aWindowJoinReadsTwoParents() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        NexmarkQueries.q8(flow, EVENTS).collect();

        BatchPlanner.Plan plan = plan(flow);

        StageSpec last = plan.job().stages().get(plan.job().stages().size() - 1);
        assertThat(last.parents()).as("both sides come from the one file stage").hasSize(1);
        assertThat(plan.job().output()).as("no text sink: the scratch output").isEqualTo("/scratch");
        assertThat(plan.sinkDirectory()).isNull();
    }

    @Test
    void theStreamFormsOfReduceAndWatermarksAreReplaced() {
        Dataflow flow = Dataflow.create();
        Stream<String> lines = flow.readTextFile(EVENTS);
        lines.assignTimestamps(
                        l -> 0L, dev.cairn.dataflow.WatermarkStrategy.boundedOutOfOrderness(java.time.Duration.ZERO))
                .keyBy(l -> l, Codecs.STRING)
                .reduce((a, b) -> a)
                .collect();

        var kinds = plan(flow).layout().graph().nodes().stream()
                .map(n -> n.factory().kind())
                .toList();

        assertThat(kinds).contains("timestamps", "sorted reduce").noneMatch(k -> k.startsWith("timestamps/watermarks"));
    }

    @Test
    void consumersOfOneStageMustAgreeOnParallelism() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        Stream<String> lines = flow.readTextFile(EVENTS);
        lines.keyBy(l -> l, Codecs.STRING).reduce((a, b) -> a).parallelism(2).collect();
        lines.keyBy(l -> l, Codecs.STRING).reduce((a, b) -> b).parallelism(3).collect();

        assertThatThrownBy(() -> plan(flow)).hasMessageContaining("need one parallelism");
    }

    record Sale(String shop, String item, long cents) {}

    /**
     * One parsed, filtered dataset cached and read by two aggregations and a join: the work before
     * the cache is in one stage, written once, and every consumer starts in the one stage that
     * reads it.
     */
    @Test
    void everyConsumerOfACacheReadsOneMaterializedStage() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Sale> sales = flow.readTextFile(EVENTS)
                .map(
                        l -> new Sale(l.split(",")[0], l.split(",")[1], Long.parseLong(l.split(",")[2])),
                        Codecs.record(Sale.class))
                .filter(s -> s.cents() > 0)
                .cache();
        Stream<Sale> byShop =
                sales.keyBy(Sale::shop, Codecs.STRING).reduce((a, b) -> new Sale(a.shop(), "", a.cents() + b.cents()));
        Stream<Sale> byItem = sales.keyBy(Sale::item, Codecs.STRING)
                .reduce((a, b) -> new Sale("", a.item(), Math.max(a.cents(), b.cents())));
        byShop.keyBy(s -> s.cents() % 10, Codecs.LONG)
                .join(byItem.keyBy(s -> s.cents() % 10, Codecs.LONG))
                .apply((a, b) -> a.shop() + " " + b.item(), Codecs.STRING)
                .writeAsText(Path.of("/out"));

        BatchPlanner.Plan plan = plan(flow);

        StageLayout layout = plan.layout();
        var graph = layout.graph();
        int cache = graph.nodes().stream()
                .filter(n -> n.factory() instanceof Materialize.Factory)
                .findFirst()
                .orElseThrow()
                .id();
        StageLayout.PlannedStage cacheStage = layout.stages().get(layout.stageOfNode(cache));
        assertThat(cacheStage.root()).as("the cache roots the stage reading it").isEqualTo(cache);
        assertThat(cacheStage.parents()).containsExactly("s1");
        assertThat(graph.edges().stream().filter(e -> e.source() == cache))
                .as("both aggregations read the cached stream")
                .hasSize(2);
        StageSpec files = plan.job().stages().get(0);
        assertThat(files.inputs()).containsExactly("/data/events.csv");
        assertThat(files.outputPartitions()).as("one partition per cache task").isEqualTo(3);
        assertThat(plan.job().stages().stream().filter(st -> !st.inputs().isEmpty()))
                .as("the input is read by one stage")
                .hasSize(1);
        assertThat(plan.job().stages().stream().filter(st -> st.parents().contains("s1")))
                .as("only the cache's stage reads the stage before the cache")
                .extracting(StageSpec::name)
                .containsExactly(cacheStage.name());
        for (int id = 0; id < cache; id++)
            assertThat(layout.stageOfNode(id))
                    .as(
                            "operator %s runs in the file stage alone",
                            graph.node(id).name())
                    .isZero();
        assertThat(plan.job().stages())
                .extracting(StageSpec::name, StageSpec::parents)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s1", List.of()),
                        org.assertj.core.groups.Tuple.tuple("s2", List.of("s1")),
                        org.assertj.core.groups.Tuple.tuple("s3", List.of("s2")),
                        org.assertj.core.groups.Tuple.tuple("s4", List.of("s2")),
                        org.assertj.core.groups.Tuple.tuple("s5", List.of("s3", "s4")));
    }

    /** A take's tasks each keep their first records and one last task gathers them. */
    @Test
    void aTakeEndsInOneTaskAfterItsStream() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        flow.readTextFile(EVENTS).sortBy(l -> l, Codecs.STRING).take(10).writeAsText(Path.of("/out"));

        JobGraph job = plan(flow).job();

        assertThat(job.stages())
                .extracting(StageSpec::name, StageSpec::parents, StageSpec::tasks, StageSpec::outputPartitions)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("s1sample0", List.of(), 0, 1),
                        org.assertj.core.groups.Tuple.tuple("s1", List.of(), 0, 4),
                        org.assertj.core.groups.Tuple.tuple("s3", List.of("s1"), 4, 1),
                        org.assertj.core.groups.Tuple.tuple("s4", List.of("s3"), 1, 0));
    }

    /**
     * Every stage reading exchanges may be coalesced; an inner join may split a skewed partition
     * of either side, a left outer join of its left side only, a co-group of neither.
     */
    @Test
    void joinsSayWhichSideMayBeSplitAndEveryExchangeStageMayBeCoalesced() {
        for (String kind : List.of("inner", "left outer", "co-group")) {
            Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
            var left = flow.readTextFile("cairn:///l").keyBy(l -> l, Codecs.STRING);
            var right = flow.readTextFile("cairn:///r").keyBy(r -> r, Codecs.STRING);
            Stream<String> joined = switch (kind) {
                case "inner" -> left.join(right).apply((l, r) -> l + r, Codecs.STRING);
                case "left outer" -> left.join(right).leftOuterJoin((l, r) -> l + r, Codecs.STRING);
                default -> left.join(right).coGroup((k, ls, rs, out) -> out.collect(k), Codecs.STRING);
            };
            joined.keyBy(x -> x, Codecs.STRING).reduce((a, b) -> a).writeAsText(Path.of("/out"));

            JobGraph job = plan(flow).job();

            assertThat(job.stages()).extracting(StageSpec::name).containsExactly("s1", "s2", "s3", "s4");
            assertThat(job.stage("s1").adaptive()).isEqualTo(StageSpec.Adaptive.NONE);
            List<String> splittable = switch (kind) {
                case "inner" -> List.of("s1", "s2");
                case "left outer" -> List.of("s1");
                default -> List.of();
            };
            assertThat(job.stage("s3").adaptive()).as(kind).isEqualTo(new StageSpec.Adaptive(true, splittable));
            assertThat(job.stage("s4").adaptive()).as(kind).isEqualTo(new StageSpec.Adaptive(true, List.of()));
        }
    }
}
