package dev.cairn.store.internal.disk;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads every local block in the background and reports those whose bytes no longer match
 * their checksums, so bit rot is found and repaired before a client needs the block. One pass over
 * the blocks listed when it starts, then a pause of {@code interval}, then again, until stopped.
 *
 * <p>Reads are paced by a {@link TokenBucket} to {@code bytesPerSecond} (bursts of up to one
 * second's worth), so scrubbing never crowds out real traffic. The bucket decides how long to
 * wait by the injected {@link Clock}; the {@link Sleeper} only waits, so a test can stand in for
 * both and run a pass without time passing.
 *
 * <p>Runs on one daemon thread between {@link #start} and {@link #stop}. A corrupt block is
 * reported to {@code onCorrupt} on that thread, once per pass that finds it.
 */
public final class BlockScrubber {
    private static final Logger LOG = LoggerFactory.getLogger(BlockScrubber.class);

    /** Waits; the scrubber's only contact with real time. */
    @FunctionalInterface
    public interface Sleeper {
        /** Returns after about {@code nanos}; throws if the thread is interrupted meanwhile. */
        void sleep(long nanos) throws InterruptedException;

        static Sleeper system() {
            return TimeUnit.NANOSECONDS::sleep;
        }
    }

    /** What one pass did: the blocks it checked, their total length, and the corrupt ones among them. */
    public record Pass(int blocks, long bytes, List<BlockId> corrupt) {}

    private final LocalBlockStore store;
    private final Duration interval;
    private final Consumer<BlockId> onCorrupt;
    private final Sleeper sleeper;
    private final TokenBucket bucket;
    private Thread thread;
    private boolean stopped;
    private final java.util.concurrent.atomic.LongAdder blocksVerified = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesVerified = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder corruptFound = new java.util.concurrent.atomic.LongAdder();

    /**
     * @param bytesPerSecond the average read rate to keep to
     * @param interval the pause between the end of one pass and the start of the next
     * @param onCorrupt told of each corrupt block; must not block for long
     */
    public BlockScrubber(
            LocalBlockStore store,
            long bytesPerSecond,
            Duration interval,
            Consumer<BlockId> onCorrupt,
            Clock clock,
            Sleeper sleeper) {
        this.store = Objects.requireNonNull(store, "store");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) throw new IllegalArgumentException("negative scrub interval " + interval);
        this.onCorrupt = Objects.requireNonNull(onCorrupt, "onCorrupt");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.bucket = new TokenBucket(clock, bytesPerSecond, bytesPerSecond);
    }

    /** Blocks verified since this scrubber was made, over every pass; the current pass as it goes. */
    public long blocksVerified() {
        return blocksVerified.sum();
    }

    /** Bytes of the blocks verified since this scrubber was made. */
    public long bytesVerified() {
        return bytesVerified.sum();
    }

    /** Corrupt blocks found since this scrubber was made (one found again in a later pass counts again). */
    public long corruptFound() {
        return corruptFound.sum();
    }

    /** Starts scrubbing on a new daemon thread. */
    public synchronized void start() {
        if (thread != null || stopped)
            throw new IllegalStateException("block scrubber already " + (stopped ? "stopped" : "started"));
        thread = Thread.ofPlatform().daemon().name("block-scrubber").start(this::run);
    }

    /** Stops scrubbing and waits for the thread to end. Idempotent; a stopped scrubber cannot restart. */
    public void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        if (t == null) return;
        t.interrupt();
        if (t != Thread.currentThread()) t.join();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Pass pass = runPass();
                LOG.info(
                        "scrubbed {} blocks, {} bytes; {} corrupt",
                        pass.blocks(),
                        pass.bytes(),
                        pass.corrupt().size());
                sleeper.sleep(interval.toNanos());
            }
        } catch (InterruptedException e) {
            // stop()
        } catch (RuntimeException | Error e) {
            LOG.error("block scrubber failed; blocks are no longer scrubbed", e);
            throw e;
        }
    }

    /** One pass over the blocks listed now, on the calling thread. */
    Pass runPass() throws InterruptedException {
        int blocks = 0;
        long bytes = 0;
        List<BlockId> corrupt = new ArrayList<>();
        for (BlockInfo b : store.blocks()) {
            VerifyResult result;
            try {
                result = store.verify(b.id(), this::pace);
            } catch (NoSuchFileException e) {
                continue; // deleted since the listing
            } catch (ClosedByInterruptException | InterruptedIOException e) {
                throw interrupted(e);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) throw interrupted(e);
                // Unreadable is not proof of corruption (a disk may be failing as a whole); log it.
                LOG.warn("could not scrub {}", b.id(), e);
                continue;
            }
            blocks++;
            bytes += b.length();
            blocksVerified.increment();
            bytesVerified.add(b.length());
            if (result instanceof VerifyResult.Corrupt c) {
                LOG.warn("scrubber found {} corrupt: {}", b.id(), c.detail());
                corrupt.add(b.id());
                corruptFound.increment();
                try {
                    onCorrupt.accept(b.id());
                } catch (RuntimeException e) {
                    LOG.error("corrupt-block callback failed for {}", b.id(), e);
                }
            }
        }
        return new Pass(blocks, bytes, List.copyOf(corrupt));
    }

    private void pace(int bytes) throws InterruptedException {
        long wait = bucket.reserve(bytes);
        if (wait > 0) sleeper.sleep(wait);
    }

    private static InterruptedException interrupted(IOException cause) {
        InterruptedException e = new InterruptedException("block scrubber interrupted");
        e.initCause(cause);
        return e;
    }
}
