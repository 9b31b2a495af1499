package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reopening a store: what survives, what is cleaned up, and directories that cannot be used. */
class StoreRecoveryTest {
    private static final int CHUNK = 1024;

    @TempDir
    Path tmp;

    private static LocalBlockStore open(Path... dirs) throws IOException {
        return LocalBlockStore.open(LocalBlockStore.Options.of(List.of(dirs)).withChunkSize(CHUNK));
    }

    @Test
    void reopeningFindsFinishedBlocks() throws IOException {
        Random random = new Random(1);
        Map<BlockId, byte[]> written = new HashMap<>();
        try (LocalBlockStore store = open(tmp)) {
            for (int i = 0; i < 5; i++) {
                byte[] data = Blocks.randomBytes(random, random.nextInt(4 * CHUNK));
                Blocks.write(store, new BlockId(i), data, random);
                written.put(new BlockId(i), data);
            }
        }
        try (LocalBlockStore store = open(tmp)) {
            assertThat(store.blocks()).hasSize(5);
            for (var e : written.entrySet()) {
                assertThat(Blocks.readAll(store, e.getKey())).isEqualTo(e.getValue());
                assertThat(store.verify(e.getKey()).ok()).isTrue();
            }
            assertThat(store.usedBytes())
                    .isEqualTo(
                            written.values().stream().mapToLong(b -> b.length).sum());
        }
    }

    @Test
    void reopeningCleansUpAfterACrash() throws IOException {
        Random random = new Random(2);
        BlockId good = new BlockId(1),
                truncated = new BlockId(2),
                noSidecar = new BlockId(3),
                unfinished = new BlockId(4);
        byte[] goodData = Blocks.randomBytes(random, 3 * CHUNK + 1);
        BlockWriter crashed;
        try (LocalBlockStore store = open(tmp)) {
            Blocks.write(store, good, goodData, random);
            Blocks.write(store, truncated, Blocks.randomBytes(random, 3 * CHUNK + 1), random);
            Blocks.write(store, noSidecar, Blocks.randomBytes(random, 10), random);
            crashed = store.create(unfinished); // never finished: its files stay in tmp/, as after a crash
            crashed.write(new byte[2 * CHUNK + 7], 0, 2 * CHUNK + 7);
        }
        Path current = tmp.resolve("current");
        try (FileChannel ch = FileChannel.open(current.resolve(truncated + ".crc"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2);
        }
        Files.delete(current.resolve(noSidecar + ".crc"));
        // A crash between finish's two renames leaves a sidecar without data in current/.
        Files.write(current.resolve(new BlockId(5) + ".crc"), new byte[12]);
        Files.write(current.resolve("README"), new byte[] {1});
        Files.createDirectories(tmp.resolve("tmp/junk/deeper"));

        try (LocalBlockStore store = open(tmp)) {
            assertThat(store.blocks()).containsExactly(new BlockInfo(good, goodData.length));
            assertThat(Blocks.readAll(store, good)).isEqualTo(goodData);
            assertThat(names(tmp.resolve("tmp"))).isEmpty();
            assertThat(names(current)).containsExactlyInAnyOrder(good.toString(), good + ".crc", "README");
            // The id of the unfinished block is free again.
            try (BlockWriter w = store.create(unfinished)) {
                w.finish();
            }
        }
        crashed.abort(); // only closes its files now: they are gone
    }

    @Test
    void blocksSpreadOverDirectoriesWithEqualSpaceAndAreAllFoundOnReopen() throws IOException {
        Path[] dirs = {tmp.resolve("d0"), tmp.resolve("d1"), tmp.resolve("d2")};
        Random random = new Random(3);
        Map<BlockId, byte[]> written = new HashMap<>();
        try (LocalBlockStore store = open(dirs)) {
            for (int i = 0; i < 9; i++) {
                byte[] data = Blocks.randomBytes(random, random.nextInt(2 * CHUNK));
                Blocks.write(store, new BlockId(i), data, random);
                written.put(new BlockId(i), data);
            }
        }
        // All three are on one file system, so they tie and take turns.
        for (Path d : dirs)
            assertThat(names(d.resolve("current")).filter(BlockId::isBlockName))
                    .as(d.toString())
                    .isNotEmpty();

        try (LocalBlockStore store = open(dirs)) {
            assertThat(store.blocks()).hasSize(9);
            for (var e : written.entrySet())
                assertThat(Blocks.readAll(store, e.getKey())).isEqualTo(e.getValue());
        }
    }

    @Test
    void newBlocksGoWhereThereIsMostSpace() throws IOException {
        Path small = tmp.resolve("small"), big = tmp.resolve("big");
        LocalBlockStore.SpaceProbe probe = dir -> dir.endsWith("big") ? 500L << 30 : 1L << 30;
        Random random = new Random(4);
        try (LocalBlockStore store = LocalBlockStore.open(LocalBlockStore.Options.of(List.of(small, big))
                .withChunkSize(CHUNK)
                .withSpaceProbe(probe))) {
            for (int i = 0; i < 4; i++) Blocks.write(store, new BlockId(i), Blocks.randomBytes(random, 100), random);
            // Both directories are on one file system: its space is counted once.
            assertThat(store.freeBytes()).isEqualTo(1L << 30);
            assertThat(store.dirs()).containsExactly(small.toAbsolutePath(), big.toAbsolutePath());
        }
        assertThat(names(big.resolve("current")).filter(BlockId::isBlockName)).hasSize(4);
        assertThat(names(small.resolve("current"))).isEmpty();
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNamedInTheError() throws IOException {
        Path file = Files.write(tmp.resolve("plain-file"), new byte[0]);
        Path impossible = file.resolve("data");
        assertThatThrownBy(() -> open(tmp.resolve("ok"), impossible))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("data directory " + impossible)
                .hasMessageContaining("cannot be created");
        // The directory that did open was released again.
        open(tmp.resolve("ok")).close();

        assertThatThrownBy(() -> open(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file + " is not a directory");
    }

    @Test
    void aDirectoryIsUsedByOneStoreAtATime() throws IOException {
        LocalBlockStore first = open(tmp);
        try {
            assertThatThrownBy(() -> open(tmp))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(tmp.toString())
                    .hasMessageContaining("already open");
        } finally {
            first.close();
        }
        open(tmp).close();
        assertThatThrownBy(() -> open(tmp, tmp.resolve(".")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listed twice");
    }

    private static Stream<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names.stream();
    }
}
