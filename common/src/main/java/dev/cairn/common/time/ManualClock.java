package dev.cairn.common.time;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to; for deterministic tests and simulations. Thread-safe. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos = new AtomicLong();
    private final long epochMillisAtZero;

    public ManualClock(long epochMillisAtZero) {
        this.epochMillisAtZero = epochMillisAtZero;
    }

    public void advance(long amount, TimeUnit unit) {
        nanos.addAndGet(unit.toNanos(amount));
    }

    @Override
    public long millis() {
        return epochMillisAtZero + TimeUnit.NANOSECONDS.toMillis(nanos.get());
    }

    @Override
    public long nanos() {
        return nanos.get();
    }
}
