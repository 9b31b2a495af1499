package dev.cairn.store.internal.disk;

import dev.cairn.common.time.Clock;

/**
 * Paces work to a rate: on average {@code bytesPerSecond}, with up to {@code burstBytes} at once
 * after a pause. It only computes waits; the caller does the waiting, so tests drive it with a
 * {@link dev.cairn.common.time.ManualClock} and no sleeping.
 *
 * <p>Kept as one number, the instant at which everything reserved so far would have gone out at
 * the rate (the "theoretical arrival time" of the generic cell rate algorithm). A reservation may
 * exceed the burst; it then waits for the excess. Thread-safe.
 */
final class TokenBucket {
    private final Clock clock;
    private final double nanosPerByte;
    private final long burstNanos;
    private long paidUntil;

    TokenBucket(Clock clock, long bytesPerSecond, long burstBytes) {
        if (bytesPerSecond <= 0) throw new IllegalArgumentException("rate must be positive: " + bytesPerSecond);
        if (burstBytes < 0) throw new IllegalArgumentException("burst must not be negative: " + burstBytes);
        this.clock = clock;
        this.nanosPerByte = 1e9 / bytesPerSecond;
        this.burstNanos = (long) Math.ceil(burstBytes * nanosPerByte);
        this.paidUntil = clock.nanos(); // starts full: a burst may go at once
    }

    /**
     * Takes {@code bytes} from the bucket.
     *
     * @return nanoseconds to wait before using them; 0 if they may be used now
     */
    synchronized long reserve(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative reservation " + bytes);
        long now = clock.nanos();
        // An idle bucket refills only up to the burst: time before now is not credited.
        paidUntil = Math.max(paidUntil, now) + (long) Math.ceil(bytes * nanosPerByte);
        return Math.max(0, paidUntil - now - burstNanos);
    }
}
