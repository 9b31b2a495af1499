package dev.cairn.common.security;

import dev.cairn.common.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what a secure port refuses (plain text, another CA, not a node, a bad token), one line each
 * naming the remote address and the port, but at most {@link #PER_SECOND} a second: anyone who can
 * reach the port can open connections, and a flood of them must not flood the log. Lines left out
 * are counted in the next one logged. Thread-safe: the ports' threads share one.
 */
public final class RefusalLog {
    public static final int PER_SECOND = 5;
    private final Logger log;
    private final Clock clock;
    private final AtomicLong windowStart = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    /** Refusals logged under this class's logger. */
    public RefusalLog(Clock clock) {
        this(clock, RefusalLog.class);
    }

    /** Refusals logged under {@code source}'s logger: the lines say which part refused. */
    public RefusalLog(Clock clock, Class<?> source) {
        this.clock = clock;
        this.log = LoggerFactory.getLogger(source);
    }

    /** Logs {@code line} (a whole sentence naming the address and port), unless this second's lines are used up. */
    public void refused(String line) {
        long now = clock.nanos();
        long start = windowStart.get();
        if ((start == Long.MIN_VALUE || now - start >= 1_000_000_000L) && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > PER_SECOND) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        if (left > 0) log.warn("{} ({} more refusals were not logged)", line, left);
        else log.warn("{}", line);
    }
}
