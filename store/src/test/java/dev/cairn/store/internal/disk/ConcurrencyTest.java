package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A smoke test: writers, readers and deletes of different blocks at once, across two directories. */
class ConcurrencyTest {
    private static final int CHUNK = 512;
    private static final int THREADS = 4;
    private static final int BLOCKS_PER_THREAD = 12;

    @TempDir
    Path tmp;

    @Test
    void concurrentWritersReadersAndDeletesOfDifferentBlocks() throws Exception {
        LocalBlockStore.Options options = LocalBlockStore.Options.of(List.of(tmp.resolve("a"), tmp.resolve("b")))
                .withChunkSize(CHUNK);
        AtomicInteger deleted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (LocalBlockStore store = LocalBlockStore.open(options)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(100 + thread);
                    for (int i = 0; i < BLOCKS_PER_THREAD; i++) {
                        BlockId id = new BlockId(thread * 1000L + i);
                        byte[] data = Blocks.randomBytes(random, random.nextInt(6 * CHUNK));
                        Blocks.write(store, id, data, random);
                        assertThat(Blocks.readAll(store, id)).isEqualTo(data);
                        // Read another thread's blocks, whichever are there, and delete some of ours.
                        for (BlockInfo b : store.blocks()) {
                            try (BlockReader r = store.open(b.id())) {
                                r.read(0, new byte[CHUNK], 0, CHUNK);
                            } catch (java.nio.file.NoSuchFileException gone) {
                                // deleted by its writer since the listing
                            }
                        }
                        if (i % 3 == 0 && store.delete(id)) deleted.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);

            assertThat(store.blocks()).hasSize(THREADS * BLOCKS_PER_THREAD - deleted.get());
            for (BlockInfo b : store.blocks())
                assertThat(store.verify(b.id()).ok()).isTrue();
            assertThat(store.usedBytes())
                    .isEqualTo(
                            store.blocks().stream().mapToLong(BlockInfo::length).sum());
        } finally {
            pool.shutdownNow();
        }
        assertThat(deleted.get()).isEqualTo(THREADS * 4);
    }
}
