package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transitions of MasterTask's table, and that no other is possible. */
class MasterTaskTest {
    private final List<String> changes = new ArrayList<>();
    private final MasterTask map = new MasterTask(
            "job-0001",
            "map",
            true,
            3,
            new InputSplit("f", 0, 1, List.of("w1")),
            null,
            0,
            (t, from, to) -> changes.add(from + ">" + to));

    @Test
    void aMapRunsFailsRunsAgainSucceedsAndLosesItsOutput() {
        AttemptRef first = map.launch("w1", "w1:1").ref();
        assertThat(first.attemptId()).isEqualTo("map-00003_1");
        map.fail(first, "boom", 5);
        assertThat(map.failures()).isEqualTo(1);
        assertThat(map.failedOn("w1")).isTrue();
        AttemptRef second = map.launch("w2", "w2:1").ref();
        assertThat(map.succeed(second).dataLocal()).isFalse();
        map.loseOutput(second, 9);
        assertThat(map.retried()).isTrue();
        assertThat(map.pendingSinceNanos()).isEqualTo(9);
        assertThat(changes)
                .containsExactly(
                        "PENDING>RUNNING",
                        "RUNNING>PENDING",
                        "PENDING>RUNNING",
                        "RUNNING>SUCCEEDED",
                        "SUCCEEDED>PENDING");
    }

    @Test
    void onlyTheRunningAttemptMovesTheTask() {
        AttemptRef first = map.launch("w1", "w1:1").ref();
        map.requeue(first, 1);
        AttemptRef second = map.launch("w1", "w1:1").ref();
        assertThatThrownBy(() -> map.succeed(first))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("map-00003_2");
        assertThatThrownBy(() -> map.fail(first, "late", 2)).isInstanceOf(IllegalStateException.class);
        assertThat(map.grantCommit(first)).isEqualTo("attempt 1 of map-00003 is not current");
        assertThat(map.grantCommit(second)).isNull();
        assertThat(map.grantCommit(second))
                .as("granted again to the same attempt")
                .isNull();
        assertThat(map.isRunning(second, "w1")).isTrue();
        assertThat(map.isRunning(second, "w2")).isFalse();
    }

    @Test
    void transitionsOutsideTheTableAreRefused() {
        assertThatThrownBy(() -> map.succeed(new AttemptRef("job-0001", "map", 3, 1)))
                .isInstanceOf(IllegalStateException.class);
        AttemptRef a = map.launch("w1", "w1:1").ref();
        assertThatThrownBy(() -> map.launch("w2", "w2:1")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> map.loseOutput(a, 1)).isInstanceOf(IllegalStateException.class);
        map.succeed(a);
        assertThatThrownBy(() -> map.fail(a, "x", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> map.loseOutput(new AttemptRef("job-0001", "map", 3, 2), 1))
                .isInstanceOf(IllegalStateException.class);
    }
}
