package dev.cairn.common.time;

/**
 * The source of time for every component that decides anything by time (timeouts, expiry,
 * heartbeats), injected so tests can drive it by hand. Main code never calls
 * {@code System.currentTimeMillis()} directly.
 */
public interface Clock {
    /** Wall-clock milliseconds since the epoch: for display and timestamps only. */
    long millis();

    /** Monotonic nanoseconds with an arbitrary origin: for measuring elapsed time and deadlines. */
    long nanos();

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
