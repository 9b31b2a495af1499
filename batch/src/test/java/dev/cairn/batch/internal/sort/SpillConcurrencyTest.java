package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background spill: collecting goes on while a spill is stuck, waits only once the free part
 * of the ring is used up, and close() aborts a stuck spill without hanging.
 */
class SpillConcurrencyTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A summing combiner that, on the spill thread, blocks in its first fold until released. */
    static final class BlockingCombiner extends MapOutputBufferTest.SumCombiner {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void start(byte[] buf, int off, int len) throws Exception {
            if (Thread.currentThread().getName().startsWith("spill-")) {
                entered.countDown();
                release.await();
            }
            super.start(buf, off, len);
        }
    }

    /** 4-byte keys cycling over 10 values, so every spill folds; each record takes 16 + 2 + 4 + 8 = 30 bytes of ring. */
    static Thread collector(MapOutputBuffer b, int records, AtomicInteger collected, AtomicReference<Throwable> error) {
        Thread t = new Thread(
                () -> {
                    try {
                        for (int i = 0; i < records; i++) {
                            b.collect(
                                    0,
                                    ByteBuffer.allocate(4).putInt(i % 10).array(),
                                    0,
                                    4,
                                    MapOutputBufferTest.longBytes(1),
                                    0,
                                    8);
                            collected.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        error.set(e);
                    }
                },
                "collector");
        t.start();
        return t;
    }

    static boolean spillThreadAlive(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("spill-" + prefix) && t.isAlive());
    }

    @Test
    void collectingContinuesDuringASpillAndWaitsOnlyWhenTheRingIsFull() throws Exception {
        BlockingCombiner combiner = new BlockingCombiner();
        AtomicInteger collected = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        MapOutputFile out;
        try (MapOutputBuffer b = new MapOutputBuffer(4096, 0.5, 1, combiner, 3, dir, "bg")) {
            Thread t = collector(b, 2000, collected, error);
            await().atMost(PATIENCE).until(() -> combiner.entered.getCount() == 0);
            await().atMost(PATIENCE).until(() -> t.getState() == Thread.State.WAITING);
            int whenBlocked = collected.get();
            // The first spill took the first ceil(2048 / 30) = 69 records; the collector went on
            // into the remaining 4096 - 69 * 30 bytes before it had to wait.
            assertThat(whenBlocked).isBetween(69 + 50, 2000 - 1);
            assertThat(spillThreadAlive("bg")).isTrue();
            combiner.release.countDown();
            t.join(PATIENCE);
            assertThat(t.isAlive()).isFalse();
            assertThat(error.get()).isNull();
            assertThat(collected.get()).isEqualTo(2000);
            out = b.finish();
        }
        List<MapOutputBufferTest.Rec> recs = MapOutputBufferTest.readAll(out).getFirst();
        assertThat(recs)
                .hasSize(10)
                .allSatisfy(
                        r -> assertThat(ByteBuffer.wrap(r.value()).getLong()).isEqualTo(200));
        await().atMost(PATIENCE).until(() -> !spillThreadAlive("bg"));
    }

    @Test
    void closeAbortsAStuckSpillAndTheWaitingCollectorFails() throws Exception {
        BlockingCombiner combiner = new BlockingCombiner();
        AtomicInteger collected = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        MapOutputBuffer b = new MapOutputBuffer(4096, 0.5, 1, combiner, 3, dir, "stuck");
        Thread t = collector(b, 100_000, collected, error);
        await().atMost(PATIENCE).until(() -> t.getState() == Thread.State.WAITING && combiner.entered.getCount() == 0);
        assertThat(filesIn(dir)).isNotEmpty();
        // Never released: close has to interrupt the spill.
        b.close();
        t.join(PATIENCE);
        assertThat(t.isAlive()).isFalse();
        assertThat(error.get()).isInstanceOf(IOException.class);
        assertThat(filesIn(dir)).isEmpty();
        await().atMost(PATIENCE).until(() -> !spillThreadAlive("stuck"));
    }

    static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
