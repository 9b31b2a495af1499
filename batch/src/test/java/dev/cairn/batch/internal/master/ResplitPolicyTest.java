package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.internal.master.ResplitPolicy.TaskView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResplitPolicyTest {
    private static final long S = 1_000_000_000L;
    private static final long MB = 1 << 20;
    private final ResplitPolicy policy = new ResplitPolicy(true, Duration.ofSeconds(2), MB);

    @Test
    void aSlowTaskKeepsTheShareItCanFinishWhileAFreshTaskAtTheStageRateTakesTheRest() {
        // Finished tasks read 64 MiB in 4 s (16 MiB/s); task 2 read 8 MiB in 4 s (2 MiB/s), 56 MiB left.
        List<TaskView> tasks = List.of(
                new TaskView(0, -1, 0, 64 * MB, 64 * MB, 4 * S),
                new TaskView(1, -1, 64 * MB, 128 * MB, 128 * MB, 4 * S),
                new TaskView(2, 4 * S, 128 * MB, 136 * MB, 192 * MB, -1));
        List<ResplitPolicy.Split> splits = policy.splits(tasks);
        assertThat(splits).singleElement().satisfies(s -> {
            assertThat(s.index()).isEqualTo(2);
            // keeps 56 x 2/18 MiB = 6.2 MiB: both halves take about 3.1 s instead of 28 s.
            assertThat(s.at()).isBetween(136 * MB + 6 * MB, 136 * MB + 7 * MB);
            assertThat(s.savedNanos()).isBetween(24 * S, 25 * S);
            assertThat(s.reason()).contains("2.0 MiB/s against the stage's 16.0 MiB/s");
        });
    }

    @Test
    void aStalledTaskGivesUpAllItHasLeftButOneThatReadNothingIsNotSplit() {
        List<TaskView> tasks = List.of(
                new TaskView(0, -1, 0, 10 * MB, 10 * MB, S), new TaskView(1, 300 * S, 10 * MB, 12 * MB, 20 * MB, -1));
        // 2 MiB in 300 s: it keeps almost nothing of the 8 MiB left.
        assertThat(policy.splits(tasks))
                .singleElement()
                .satisfies(s -> assertThat(s.at()).isBetween(12 * MB, 12 * MB + 8192));
        List<TaskView> nothingRead = List.of(
                new TaskView(0, -1, 0, 10 * MB, 10 * MB, S), new TaskView(1, 3 * S, 10 * MB, 10 * MB, 20 * MB, -1));
        assertThat(policy.splits(nothingRead)).isEmpty();
    }

    @Test
    void aTaskAsFastAsItsStageIsHalvedOnlyWhenThatSavesEnough() {
        // 16 MiB/s everywhere; 64 MiB left is 4 s, halved saves 2 s: just enough.
        List<TaskView> big = List.of(
                new TaskView(0, -1, 0, 32 * MB, 32 * MB, 2 * S),
                new TaskView(1, 2 * S, 32 * MB, 64 * MB, 128 * MB, -1));
        assertThat(policy.splits(big))
                .singleElement()
                .satisfies(s -> assertThat(s.at()).isEqualTo(96 * MB));
        // 32 MiB left: halving saves 1 s, less than the minimum gain.
        List<TaskView> small = List.of(
                new TaskView(0, -1, 0, 32 * MB, 32 * MB, 2 * S), new TaskView(1, 2 * S, 32 * MB, 64 * MB, 96 * MB, -1));
        assertThat(policy.splits(small)).isEmpty();
    }

    @Test
    void tasksTooYoungToMeasureOrWithLittleLeftOrCopiedAreLeftAlone() {
        List<TaskView> tasks = List.of(
                new TaskView(0, -1, 0, 64 * MB, 64 * MB, 4 * S),
                new TaskView(1, S, 64 * MB, 64 * MB, 128 * MB, -1), // ran 1 s only
                new TaskView(2, 10 * S, 128 * MB, 128 * MB, 128 * MB + MB / 2, -1), // half a MiB left
                new TaskView(3, -1, 192 * MB, 192 * MB, 256 * MB, -1)); // runs with a copy
        assertThat(policy.splits(tasks)).isEmpty();
        assertThat(ResplitPolicy.OFF.splits(tasks)).isEmpty();
    }

    @Test
    void theSplitIsAShareOfWhatIsLeft() {
        List<TaskView> tasks = List.of(
                new TaskView(0, -1, 0, 64 * MB, 64 * MB, 4 * S),
                new TaskView(1, 4 * S, 64 * MB, 72 * MB, 128 * MB, -1));
        ResplitPolicy.Split s = policy.splits(tasks).get(0);
        assertThat(s.keep()).isCloseTo((s.at() - 72.0 * MB) / (56.0 * MB), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.keep()).isCloseTo(2.0 / 18, org.assertj.core.data.Offset.offset(1e-6));
    }
}
