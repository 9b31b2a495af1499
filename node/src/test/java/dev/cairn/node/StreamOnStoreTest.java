package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.CheckpointSettings;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorage;
import dev.cairn.dataflow.internal.checkpoint.CheckpointStorageContract;
import dev.cairn.dataflow.internal.checkpoint.FileSystemCheckpointStorage;
import dev.cairn.dataflow.internal.operators.TransactionalFileSinkContract;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreFileSystem;
import dev.cairn.store.WriteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream runtime's files in Cairn's store, on an in-JVM cluster with one store node: the
 * checkpoint storage and exactly-once sink contracts on the store's file system, and an in-JVM
 * job that reads its input from {@code cairn://} and commits its output there.
 */
class StreamOnStoreTest {
    @TempDir
    static Path dir;

    private static LocalCluster cluster;
    private static StoreClient client;
    private static FileSystem store;
    private static final AtomicInteger NEXT = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), 1, 1, Config.defaults(NodeConfig.DEF));
        client = StoreClient.connect(cluster.coordConnect(), null, Duration.ofSeconds(30));
        store = new StoreFileSystem(() -> client, WriteOptions.defaults());
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (cluster != null) cluster.close();
    }

    private static FileSystemRegistry registry() {
        return FileSystemRegistry.local().with(store);
    }

    private static String fresh() {
        return "cairn:///t/" + NEXT.incrementAndGet();
    }

    @Nested
    class CheckpointStorageOnTheStore extends CheckpointStorageContract {
        @Override
        protected CheckpointStorage storage() throws IOException {
            return CheckpointStorage.at(registry(), fresh());
        }

        @Override
        protected List<String> sharedFiles(CheckpointStorage storage) throws IOException {
            return List.copyOf(((FileSystemCheckpointStorage) storage).sharedFiles());
        }
    }

    @Nested
    class TransactionalSinkOnTheStore extends TransactionalFileSinkContract {
        private final String root = fresh();

        @Override
        protected FileSystemRegistry fileSystems() {
            return registry();
        }

        @Override
        protected String root() {
            return root;
        }
    }

    /** Input and output in the store, with checkpoints every 20 ms: every line exactly once. */
    @Test
    void anInJvmJobReadsFromAndCommitsIntoTheStore() throws Exception {
        String in = fresh() + "/in.txt";
        String out = fresh() + "/out";
        List<String> lines =
                IntStream.range(0, 50_000).mapToObj(i -> "line " + i).toList();
        try (OutputStream o = store.create(in)) {
            o.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withParallelism(2)
                .withFileSystems(registry())
                .withCheckpoints(new CheckpointSettings(dir.resolve("chk"), Duration.ofMillis(20), 2, 3)));
        flow.readTextFile(in).writeAsTextExactlyOnce(out);
        flow.execute();

        List<String> read = new ArrayList<>();
        for (FileEntry f : store.listFiles(out)) {
            assertThat(FsPaths.name(f.path())).as("nothing staged is left").doesNotStartWith(".");
            try (InputStream i = store.open(f.path(), 0, f.length())) {
                read.addAll(new String(i.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList());
            }
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(lines);
    }
}
