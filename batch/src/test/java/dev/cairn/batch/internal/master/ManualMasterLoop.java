package dev.cairn.batch.internal.master;

import dev.cairn.common.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * A master loop that is the thread which created it: {@link #call} runs at once, and what the
 * master defers ({@link #execute}, the periodic expiry check) becomes an event on the driver's
 * queue, run when the driver gets to it. With a manual clock this makes the master's every step
 * happen in an order a seed decides.
 */
final class ManualMasterLoop implements MasterLoop {
    /** Where deferred loop actions go: the simulation's event queue. */
    interface Events {
        void at(long nanos, String what, Runnable action);
    }

    private final Thread owner = Thread.currentThread();
    private final Clock clock;
    private final Events events;
    private boolean shut;

    ManualMasterLoop(Clock clock, Events events) {
        this.clock = clock;
        this.events = events;
    }

    @Override
    public <T> T call(Callable<T> action) throws Exception {
        if (!inLoop()) throw new IllegalStateException("a manual loop runs only on " + owner);
        return action.call();
    }

    @Override
    public void execute(Runnable action) {
        if (shut) throw new RejectedExecutionException("loop shut down");
        events.at(clock.nanos(), "loop action", action);
    }

    @Override
    public void scheduleWithFixedDelay(Runnable action, Duration delay) {
        events.at(clock.nanos() + delay.toNanos(), "expiry check", new Runnable() {
            @Override
            public void run() {
                if (shut) return;
                action.run();
                events.at(clock.nanos() + delay.toNanos(), "expiry check", this);
            }
        });
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void shutdown() {
        shut = true;
    }
}
