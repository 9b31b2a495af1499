package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.RpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad paths of file sources and sinks fail before the job runs, naming the path: an existing
 * output while the program is built, a missing input when an in-JVM run starts, and both at
 * submission on the master for {@code cairn://} paths, with the master's reason when it has no store.
 */
class FilePathCheckTest {
    @TempDir
    Path dir;

    @Test
    void aMissingLocalInputFailsTheRunBeforeItStarts() {
        Path missing = dir.resolve("nope.csv");
        Dataflow flow = Dataflow.create();
        flow.readTextFile(missing).writeAsTextExactlyOnce(dir.resolve("out"));
        assertThatThrownBy(flow::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input file or directory " + missing + " does not exist");
        assertThat(dir.resolve("out")).as("nothing ran").doesNotExist();
    }

    @Test
    void anExistingLocalOutputIsRefusedWhenTheProgramIsBuilt() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> Dataflow.create()
                        .fromCollection(List.of("a"), Codecs.STRING)
                        .writeAsTextExactlyOnce(out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("output directory " + out + " already exists");
    }

    @Test
    void aStorePathInAnInJvmRunWithoutTheStoreNamesThePath() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults()
                .withFileSystems(FileSystemRegistry.local().unavailable("cairn", "no store here")));
        flow.readTextFile("cairn:///in/events.csv").writeAsTextExactlyOnce(dir.resolve("out"));
        assertThatThrownBy(flow::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cairn:///in/events.csv")
                .hasMessageContaining("no store here");
    }

    @Test
    void watchingAStoreDirectoryIsRefused() {
        assertThatThrownBy(() -> Dataflow.create().watchTextFiles(Path.of("cairn:///in"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local directories only");
    }

    /** The client cannot check a cairn:// path; the master does, and says why it cannot reach one. */
    @Test
    void aStorePathOnAClusterWithoutTheStoreIsRefusedAtSubmission() throws Exception {
        FileSystemRegistry noStore = FileSystemRegistry.local()
                .unavailable("cairn", "this node has no coord connection (set coord.connect or coord.members)");
        try (StreamMaster master = StreamMaster.create(
                        new StreamMaster.Settings(
                                dir.resolve("stream"),
                                null,
                                Duration.ofSeconds(2),
                                Duration.ofMillis(50),
                                Duration.ofMillis(100),
                                noStore),
                        StreamJobRegistry.inMemory(),
                        Optional::empty,
                        Clock.system());
                RpcServer server = RpcServer.start("127.0.0.1", 0, master.services())) {
            master.activate();
            Dataflow flow = Dataflow.create();
            // Built without complaint: the client's file systems do not know the scheme.
            flow.readTextFile("cairn:///in/events.csv").writeAsTextExactlyOnce(dir.resolve("out"));
            try (StreamClient client = StreamClient.connect(server.endpoint())) {
                assertThatThrownBy(() -> client.submit(flow, "q", new byte[0], "none", StreamJobSettings.none()))
                        .hasMessageContaining("cairn:///in/events.csv")
                        .hasMessageContaining("no coord connection");
                assertThat(client.list()).as("no job was made").isEmpty();
            }
        }
    }
}
