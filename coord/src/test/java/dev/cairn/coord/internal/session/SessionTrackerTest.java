package dev.cairn.coord.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.ManualClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SessionTrackerTest {
    private final ManualClock clock = new ManualClock(0);
    private final SessionTracker tracker = new SessionTracker(clock);

    @Test
    void sessionsExpireOneTimeoutAfterTheirLastSignOfLife() {
        tracker.track(1, 1000);
        tracker.track(2, 3000);
        clock.advance(900, TimeUnit.MILLISECONDS);
        tracker.touch(1);
        clock.advance(900, TimeUnit.MILLISECONDS);
        assertThat(tracker.expired()).isEmpty();
        clock.advance(100, TimeUnit.MILLISECONDS);
        assertThat(tracker.expired())
                .as("1 was touched at 900 ms: deadline 1900 ms")
                .containsExactly(1L);
        assertThat(tracker.expired()).as("reported until removed").containsExactly(1L);
        tracker.remove(1);
        clock.advance(1100, TimeUnit.MILLISECONDS);
        assertThat(tracker.expired()).containsExactly(2L);
    }

    @Test
    void aNewLeaderGivesEverySessionAFullTimeout() {
        tracker.track(7, 1000);
        clock.advance(999, TimeUnit.MILLISECONDS);
        tracker.resetAll();
        clock.advance(999, TimeUnit.MILLISECONDS);
        assertThat(tracker.expired()).isEmpty();
        clock.advance(1, TimeUnit.MILLISECONDS);
        assertThat(tracker.expired()).containsExactly(7L);
    }

    @Test
    void touchingAnUnknownSessionDoesNotCreateIt() {
        tracker.touch(42);
        assertThat(tracker.isTracked(42)).isFalse();
        clock.advance(1, TimeUnit.HOURS);
        assertThat(tracker.expired()).isEmpty();
    }
}
