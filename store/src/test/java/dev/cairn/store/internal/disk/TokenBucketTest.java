package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.ManualClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long MS = 1_000_000;
    private final ManualClock clock = new ManualClock(0);

    @Test
    void aFullBucketLetsABurstGoAtOnceThenPacesToTheRate() {
        TokenBucket bucket = new TokenBucket(clock, 1000, 1000);
        assertThat(bucket.reserve(600)).isZero();
        assertThat(bucket.reserve(400)).isZero();
        assertThat(bucket.reserve(100)).isEqualTo(100 * MS);
        assertThat(bucket.reserve(100)).isEqualTo(200 * MS); // nobody waited: the debt adds up
        clock.advance(200, TimeUnit.MILLISECONDS);
        assertThat(bucket.reserve(50)).isEqualTo(50 * MS);
    }

    @Test
    void idleTimeRefillsOnlyUpToTheBurst() {
        TokenBucket bucket = new TokenBucket(clock, 1000, 500);
        clock.advance(1, TimeUnit.HOURS);
        assertThat(bucket.reserve(500)).isZero();
        assertThat(bucket.reserve(500)).isEqualTo(500 * MS);
    }

    @Test
    void aReservationLargerThanTheBurstWaitsForTheExcess() {
        TokenBucket bucket = new TokenBucket(clock, 1000, 1000);
        assertThat(bucket.reserve(5000)).isEqualTo(4000 * MS);
    }

    @Test
    void overALongRunTheRateIsKept() {
        long rate = 64 << 10, burst = rate;
        TokenBucket bucket = new TokenBucket(clock, rate, burst);
        long bytes = 0;
        long start = clock.nanos();
        for (int i = 0; i < 1000; i++) {
            int chunk = 1 + (i * 7919) % 8192;
            clock.advance(bucket.reserve(chunk), TimeUnit.NANOSECONDS); // wait as told
            bytes += chunk;
            clock.advance(100, TimeUnit.MICROSECONDS); // the work itself
        }
        double seconds = (clock.nanos() - start) / 1e9;
        assertThat(bytes).isGreaterThan(10 * rate);
        assertThat(bytes - burst).isLessThanOrEqualTo((long) (rate * seconds));
        assertThat(bytes / seconds).isGreaterThan(0.95 * rate); // and pacing does not starve it
    }
}
