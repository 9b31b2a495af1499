package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler under faults, {@value SchedulerSimulation#WORKERS} simulated workers at a time,
 * one seed after another (see {@link SchedulerSimulation} for the events and invariants). A
 * failure names its seed; {@code -Dsim.seed=N} runs that seed alone, event for event the same.
 * {@code -Dsim.seeds=N} runs more seeds than the default 100, starting at {@code -Dsim.firstSeed}.
 */
class JobMasterSimulationTest {
    @TempDir
    Path dir;

    @Test
    void schedulerKeepsItsInvariantsUnderWorkerLossSlownessAndTaskFailures() throws Exception {
        String one = System.getProperty("sim.seed");
        long first = Long.getLong("sim.firstSeed", 1);
        List<Long> seeds = one != null
                ? List.of(Long.parseLong(one))
                : LongStream.range(first, first + Integer.getInteger("sim.seeds", 100))
                        .boxed()
                        .toList();
        long start = System.nanoTime();
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        SchedulerSimulation.Stats total = new SchedulerSimulation.Stats();
        for (long seed : seeds) {
            try {
                SchedulerSimulation sim = new SchedulerSimulation(seed, dir.resolve("seed-" + seed));
                sim.run();
                total.add(sim.stats());
            } catch (AssertionError e) {
                System.err.println(
                        "JobMasterSimulationTest failed with seed " + seed + "; replay it with -Dsim.seed=" + seed);
                throw e;
            }
        }
        if (seeds.size() >= 20) {
            assertThat(total.speculativeLaunches)
                    .as("slow workers made stragglers that the master copied")
                    .isPositive();
            assertThat(total.resplitTasks)
                    .as("running file tasks accepted re-splits")
                    .isPositive();
            assertThat(total.coalescedStages).as("stages were coalesced").isPositive();
            assertThat(total.skewSplits).as("skewed partitions were split").isPositive();
        }
        System.out.printf(
                "JobMasterSimulationTest: seeds %s, %s; %d ms (%d ms CPU)%n",
                seeds.size() == 1 ? seeds.get(0) : seeds.get(0) + ".." + seeds.getLast(),
                total,
                (System.nanoTime() - start) / 1_000_000,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1_000_000);
    }

    @Test
    void aSeedReplaysEventForEvent() throws Exception {
        SchedulerSimulation first = new SchedulerSimulation(42, dir.resolve("a"));
        first.run();
        SchedulerSimulation again = new SchedulerSimulation(42, dir.resolve("b"));
        again.run();
        assertThat(again.stats().toString()).isEqualTo(first.stats().toString());
        assertThat(again.trace()).isEqualTo(first.trace());
    }
}
