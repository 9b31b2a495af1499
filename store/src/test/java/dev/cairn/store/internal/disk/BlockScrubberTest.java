package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.time.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockScrubberTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private LocalBlockStore store;
    private final ManualClock clock = new ManualClock(0);
    private final List<BlockId> reported = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        store = LocalBlockStore.open(LocalBlockStore.Options.of(List.of(dir)).withChunkSize(CHUNK));
    }

    @AfterEach
    void close() throws IOException {
        store.close();
    }

    private long writeBlocks(int count, int size) throws IOException {
        Random random = new Random(21);
        for (int i = 0; i < count; i++) Blocks.write(store, new BlockId(i), Blocks.randomBytes(random, size), random);
        return (long) count * size;
    }

    @Test
    void aPassReportsTheCorruptBlocksAndKeepsToTheRate() throws Exception {
        long total = writeBlocks(8, 10 * CHUNK + 1);
        Blocks.flipByte(store, new BlockId(5), 3 * CHUNK);
        long rate = 16 * CHUNK;
        // Waiting is done by moving the manual clock: the pass runs at once in real time.
        List<Long> sleeps = new ArrayList<>();
        BlockScrubber scrubber = new BlockScrubber(store, rate, Duration.ofHours(1), reported::add, clock, nanos -> {
            sleeps.add(nanos);
            clock.advance(nanos, TimeUnit.NANOSECONDS);
        });

        BlockScrubber.Pass pass = scrubber.runPass();

        assertThat(pass.corrupt()).containsExactly(new BlockId(5));
        assertThat(reported).containsExactly(new BlockId(5));
        assertThat(pass.blocks()).isEqualTo(8);
        assertThat(pass.bytes()).isEqualTo(total);
        // Block 5 was read up to its bad chunk only, and one second's worth went out as a burst.
        long read = total - (10 * CHUNK + 1) + 4L * CHUNK;
        double seconds = clock.nanos() / 1e9;
        assertThat(seconds).isBetween((read - rate) / (double) rate, (read - rate + CHUNK) / (double) rate);
        assertThat(sleeps).allMatch(n -> n > 0);
    }

    @Test
    void blocksDeletedDuringAPassAreSkipped() throws Exception {
        writeBlocks(3, CHUNK);
        BlockScrubber scrubber = new BlockScrubber(store, 1, Duration.ZERO, reported::add, clock, nanos -> {
            try {
                store.delete(new BlockId(2));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        BlockScrubber.Pass pass = scrubber.runPass();

        assertThat(pass.blocks()).isEqualTo(2);
        assertThat(reported).isEmpty();
    }

    @Test
    void runsPassesOnItsThreadUntilStopped() throws Exception {
        writeBlocks(3, 2 * CHUNK);
        Blocks.flipByte(store, new BlockId(1), 0);
        CompletableFuture<BlockId> found = new CompletableFuture<>();
        BlockingQueue<Long> sleeps = new LinkedBlockingQueue<>();
        BlockScrubber.Sleeper untilStopped = nanos -> {
            sleeps.add(nanos);
            new CountDownLatch(1).await(); // returns only by interruption
        };
        // A rate high enough that the pass needs no pacing: the only sleep is the interval.
        BlockScrubber scrubber =
                new BlockScrubber(store, 1L << 30, Duration.ofMinutes(10), found::complete, clock, untilStopped);

        scrubber.start();
        try {
            assertThat(found.get(30, TimeUnit.SECONDS)).isEqualTo(new BlockId(1));
            assertThat(sleeps.poll(30, TimeUnit.SECONDS))
                    .isEqualTo(Duration.ofMinutes(10).toNanos());
            assertThatThrownBy(scrubber::start).isInstanceOf(IllegalStateException.class);
        } finally {
            scrubber.stop();
        }
        assertThat(sleeps).isEmpty();
        assertThatThrownBy(scrubber::start).isInstanceOf(IllegalStateException.class);
    }
}
