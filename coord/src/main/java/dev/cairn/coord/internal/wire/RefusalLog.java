package dev.cairn.coord.internal.wire;

import dev.cairn.common.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the connections a secure port refuses (plain text, another CA, not a node), one line each
 * naming the remote address and the port, but at most {@link #PER_SECOND} a second: anyone who can
 * reach the port can open connections, and a flood of them must not flood the log. Lines left out
 * are counted in the next one logged.
 */
public final class RefusalLog {
    public static final int PER_SECOND = 5;
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);

    private final Clock clock;
    private final AtomicLong windowStart = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public RefusalLog(Clock clock) {
        this.clock = clock;
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
        if (left > 0) LOG.warn("{} ({} more refused connections were not logged)", line, left);
        else LOG.warn("{}", line);
    }
}
