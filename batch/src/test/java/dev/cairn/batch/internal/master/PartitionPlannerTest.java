package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.StageSpec;
import dev.cairn.batch.internal.master.PartitionPlanner.TaskReads;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionPlannerTest {
    private static final long MB = 1 << 20;
    private final PartitionPlanner planner = new PartitionPlanner(true, 64 * MB, 2.0, 4 * MB);
    private static final StageSpec.Adaptive COALESCE = new StageSpec.Adaptive(true, List.of());
    private static final StageSpec.Adaptive JOIN = new StageSpec.Adaptive(true, List.of("left"));

    /** Each map output's partitions, the same for every map. */
    private static long[][] maps(int maps, long... perPartition) {
        long[][] out = new long[maps][];
        for (int m = 0; m < maps; m++) out[m] = perPartition.clone();
        return out;
    }

    @Test
    void smallPartitionsAreCoalescedButNeverBelowTheSlots() {
        Map<String, long[][]> bytes = Map.of("p", maps(2, MB, MB, MB, MB, MB, MB, MB, MB));
        // 16 MiB in all: with 4 slots, tasks of at most 4 MiB, so 4 tasks of 2 partitions.
        PartitionPlanner.Plan plan = planner.plan("s2", COALESCE, bytes, 8, 4);
        assertThat(plan.tasks())
                .containsExactly(
                        TaskReads.whole(0, 2), TaskReads.whole(2, 4), TaskReads.whole(4, 6), TaskReads.whole(6, 8));
        assertThat(plan.decisions()).singleElement().asString().contains("coalesced 8 partitions into 4 tasks");
        // One slot: all in one task.
        assertThat(planner.plan("s2", COALESCE, bytes, 8, 1).tasks()).containsExactly(TaskReads.whole(0, 8));
    }

    @Test
    void emptyPartitionsJoinANeighbourAndLargeOnesStayAlone() {
        Map<String, long[][]> bytes = Map.of("p", maps(1, 0, 0, 100 * MB, 0, 70 * MB, 1, 1));
        PartitionPlanner.Plan plan = planner.plan("s2", COALESCE, bytes, 7, 2);
        assertThat(plan.tasks()).containsExactly(TaskReads.whole(0, 3), TaskReads.whole(3, 5), TaskReads.whole(5, 7));
    }

    @Test
    void nothingChangesWhenEveryPartitionIsBigEnoughOrTheStageForbidsIt() {
        Map<String, long[][]> bytes = Map.of("p", maps(2, 40 * MB, 40 * MB, 40 * MB));
        assertThat(planner.plan("s2", COALESCE, bytes, 3, 3)).isNull();
        Map<String, long[][]> small = Map.of("p", maps(2, 1, 1, 1));
        assertThat(planner.plan("s2", StageSpec.Adaptive.NONE, small, 3, 1)).isNull();
        assertThat(PartitionPlanner.OFF.plan("s2", COALESCE, small, 3, 1)).isNull();
    }

    @Test
    void aSkewedPartitionOfAJoinIsSplitByTheMapOutputsOfItsSplittableSide() {
        // 8 map outputs on the left; partition 1 holds a hot key: 8 x 10 MiB against 8 x 1 MiB elsewhere.
        Map<String, long[][]> bytes = new LinkedHashMap<>();
        bytes.put("left", maps(8, MB, 10 * MB, MB, MB));
        bytes.put("right", maps(2, MB, MB, MB, MB));
        PartitionPlanner.Plan plan = planner.plan("s3", new StageSpec.Adaptive(false, List.of("left")), bytes, 4, 4);
        // Median 10 MiB, partition 1 holds 82 MiB: cut into ceil(82/10) = 8 pieces, one map output each.
        assertThat(plan.tasks()).hasSize(3 + 8);
        assertThat(plan.tasks().get(0)).isEqualTo(TaskReads.whole(0, 1));
        for (int i = 0; i < 8; i++)
            assertThat(plan.tasks().get(1 + i)).isEqualTo(new TaskReads(1, 2, "left", i, i + 1));
        assertThat(plan.tasks().get(9)).isEqualTo(TaskReads.whole(2, 3));
        assertThat(plan.decisions())
                .singleElement()
                .asString()
                .contains("partition 1 (82.0 MiB, 8.2x the median 10.0 MiB) split into 8 tasks by left's map outputs");
    }

    @Test
    void piecesCoverEveryMapOutputOnceAndRunsAroundThemAreCoalesced() {
        Map<String, long[][]> bytes = new LinkedHashMap<>();
        long[][] left = new long[5][];
        for (int m = 0; m < 5; m++) left[m] = new long[] {1, 1, 30 * MB * (m + 1), 1, 1};
        bytes.put("left", left);
        bytes.put("right", maps(1, 1, 1, MB, 1, 1));
        PartitionPlanner.Plan plan = planner.plan("s3", JOIN, bytes, 5, 2);
        List<TaskReads> pieces =
                plan.tasks().stream().filter(t -> t.splitParent() != null).toList();
        assertThat(pieces).hasSizeGreaterThan(1);
        int next = 0;
        for (TaskReads p : pieces) {
            assertThat(p.partitionFrom()).isEqualTo(2);
            assertThat(p.mapFrom()).isEqualTo(next);
            next = p.mapTo();
        }
        assertThat(next).isEqualTo(5);
        assertThat(plan.tasks().get(0)).isEqualTo(TaskReads.whole(0, 2));
        assertThat(plan.tasks().get(plan.tasks().size() - 1)).isEqualTo(TaskReads.whole(3, 5));
    }

    @Test
    void aSkewedPartitionOfAStageThatCannotSplitStaysWhole() {
        Map<String, long[][]> bytes = Map.of("p", maps(4, 100 * MB, MB, MB, MB));
        PartitionPlanner.Plan plan = planner.plan("s2", COALESCE, bytes, 4, 2);
        assertThat(plan.tasks()).containsExactly(TaskReads.whole(0, 1), TaskReads.whole(1, 4));
    }
}
