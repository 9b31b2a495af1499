package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.internal.master.SpeculationPolicy.TaskView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeculationPolicyTest {
    private static final long S = 1_000_000_000L;
    private static final SpeculationPolicy POLICY = new SpeculationPolicy(true, 1.5, Duration.ofSeconds(1));

    private static TaskView done(int i, long nanos) {
        return new TaskView(i, -1, 1, nanos);
    }

    private static TaskView running(int i, long nanos, double progress) {
        return new TaskView(i, nanos, progress, -1);
    }

    @Test
    void aSlowTaskFarBehindTheMedianIsAStraggler() {
        var s = POLICY.stragglers(List.of(done(0, 2 * S), done(1, 2 * S), running(2, 5 * S, 0.3)));
        assertThat(s).singleElement().satisfies(x -> {
            assertThat(x.index()).isEqualTo(2);
            assertThat(x.medianNanos()).isEqualTo(2 * S);
            assertThat(x.reason()).isEqualTo("running 5.0 s at 30% (stage median 2.0 s)");
        });
    }

    @Test
    void nothingBeforeHalfTheStageHasSucceeded() {
        assertThat(POLICY.stragglers(List.of(done(0, S), running(1, 9 * S, 0.1), running(2, 9 * S, 0.1))))
                .isEmpty();
    }

    @Test
    void aSlowTaskAboutToFinishIsLeftAlone() {
        // 95% after 5 s: 0.26 s to go, less than a copy's 2 s.
        assertThat(POLICY.stragglers(List.of(done(0, 2 * S), done(1, 2 * S), running(2, 5 * S, 0.95))))
                .isEmpty();
    }

    @Test
    void notBeforeTheMultipleOfTheMedianNorTheMinimumRuntime() {
        assertThat(POLICY.stragglers(List.of(done(0, 2 * S), done(1, 2 * S), running(2, 3 * S, 0.0))))
                .as("exactly 1.5 x the median")
                .isEmpty();
        assertThat(POLICY.stragglers(List.of(done(0, S / 10), done(1, S / 10), running(2, S / 2, 0.0))))
                .as("under the minimum runtime")
                .isEmpty();
    }

    @Test
    void stragglersComeLongestRemainderFirstAndNoneWhenOff() {
        List<TaskView> tasks =
                List.of(done(0, 2 * S), done(1, 2 * S), done(2, 2 * S), running(3, 6 * S, 0.5), running(4, 6 * S, 0.1));
        assertThat(POLICY.stragglers(tasks))
                .extracting(SpeculationPolicy.Straggler::index)
                .containsExactly(4, 3);
        assertThat(SpeculationPolicy.OFF.stragglers(tasks)).isEmpty();
    }
}
