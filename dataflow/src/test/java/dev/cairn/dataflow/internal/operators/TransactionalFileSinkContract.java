package dev.cairn.dataflow.internal.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.fs.FileEntry;
import dev.cairn.common.fs.FileSystem;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.common.time.ManualClock;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.internal.runtime.KeyGroupRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once file sink's two-phase commit on a {@link FileSystem}: pre-commit, commit,
 * abort and the replay of a commit after a restore, written once and run on each file system
 * (local files here, the store in node's tests). A reader skipping dot-files sees exactly the
 * committed records, never one twice.
 */
public abstract class TransactionalFileSinkContract {
    /** The file systems the sink runs with. */
    protected abstract FileSystemRegistry fileSystems();

    /** The user the job belongs to, to whom the sink hands what it commits; null: nobody. */
    protected String owner() {
        return null;
    }

    /** An empty directory for this test, qualified; the sink's output goes under it. */
    protected abstract String root() throws IOException;

    private String out() throws IOException {
        return FsPaths.child(root(), "out");
    }

    private FileSystem fs() throws IOException {
        return fileSystems().forPath(root());
    }

    @SuppressWarnings("unchecked")
    private TransactionalFileSink<String> sink(int subtask, int parallelism, byte[]... restored) throws Exception {
        TransactionalFileSink<String> sink =
                (TransactionalFileSink<String>) new TransactionalFileSink.Factory<String>(out()).create();
        sink.setup(
                new OperatorContext(
                        "sink",
                        subtask,
                        parallelism,
                        128,
                        KeyGroupRange.forSubtask(128, parallelism, subtask),
                        new ManualClock(0),
                        4,
                        null,
                        null,
                        fileSystems(),
                        owner()),
                new Output<Void>() {
                    @Override
                    public void emit(Void value, long timestamp) {}

                    @Override
                    public <X> void emitSide(OutputTag<X> tag, X value, long timestamp) {}

                    @Override
                    public void emitWatermark(long watermark) {}

                    @Override
                    public void emitIdleness(boolean idle) {}
                });
        for (byte[] r : restored) sink.restoreState(new BytesIn(r));
        sink.open();
        return sink;
    }

    private TransactionalFileSink<String> sink(byte[]... restored) throws Exception {
        return sink(0, 1, restored);
    }

    /** The lines of the files a reader sees: every file not starting with '.', in name order. */
    private List<String> committed() throws IOException {
        List<String> lines = new ArrayList<>();
        for (FileEntry f : fs().listFiles(out())) {
            if (FsPaths.name(f.path()).startsWith(".")) continue;
            try (InputStream in = fs().open(f.path(), 0, f.length())) {
                lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .toList());
            }
        }
        return lines;
    }

    private List<String> staged() throws IOException {
        return fs().listFiles(out()).stream()
                .map(f -> FsPaths.name(f.path()))
                .filter(n -> n.startsWith(".part-"))
                .toList();
    }

    private static byte[] snapshot(TransactionalFileSink<String> sink, long id) throws IOException {
        BytesOut out = new BytesOut();
        sink.snapshotState(id, out);
        return out.toByteArray();
    }

    @Test
    void recordsAppearOnlyWhenTheirCheckpointCompletes() throws Exception {
        TransactionalFileSink<String> sink = sink();
        sink.processElement("a", 0);
        sink.processElement("b", 0);
        snapshot(sink, 1);
        sink.processElement("c", 0);
        assertThat(committed()).as("pre-committed is not visible").isEmpty();
        assertThat(staged()).as("pre-committed under its staging name").contains(".part-0-1.pending");
        sink.checkpointComplete(1);
        assertThat(committed()).containsExactly("a", "b");
        sink.checkpointComplete(1);
        assertThat(committed()).as("committing again is a no-op").containsExactly("a", "b");
        sink.close();
        assertThat(staged())
                .as("a cancelled subtask drops what it had in progress")
                .isEmpty();
    }

    @Test
    void aRestoreCommitsTheRestoredCheckpointsFilesAndAbortsLaterOnes() throws Exception {
        TransactionalFileSink<String> first = sink();
        first.processElement("a", 0);
        byte[] state = snapshot(first, 1); // checkpoint 1 completes, but the notice never arrives
        first.processElement("b", 0);
        snapshot(first, 2); // pre-committed, checkpoint 2 never completes
        first.processElement("c", 0); // in progress; the process dies without closing the sink

        TransactionalFileSink<String> second = sink(state);
        assertThat(committed()).containsExactly("a");
        assertThat(staged()).as("the pending file of 2 is gone").doesNotContain(".part-0-2.pending");
        // A restart from the same checkpoint again commits nothing twice.
        second.close();
        sink(state).close();
        assertThat(committed()).containsExactly("a");
        first.close();
        assertThat(staged()).isEmpty();
    }

    @Test
    void aReplayedCommitWhoseRenameHappenedRemovesTheAbortedAttemptsStagedFile() throws Exception {
        TransactionalFileSink<String> first = sink();
        first.processElement("a", 0);
        byte[] state = snapshot(first, 1);
        first.checkpointComplete(1); // committed; then the job fails before anything else
        first.close();
        // An aborted attempt left a file staged under the committed file's pending name.
        try (var o = fs().create(FsPaths.child(out(), ".part-0-1.pending"))) {
            o.write("a\n".getBytes(StandardCharsets.UTF_8));
        }

        TransactionalFileSink<String> second = sink(state); // replays the commit of checkpoint 1
        assertThat(committed()).as("neither duplicated nor lost").containsExactly("a");
        assertThat(staged()).isEmpty();
        second.processElement("b", 0);
        snapshot(second, 2);
        second.checkpointComplete(2);
        second.finish();
        assertThat(committed()).containsExactly("a", "b");
    }

    @Test
    void recordsAfterTheLastCheckpointAreCommittedWhenTheSubtaskFinishes() throws Exception {
        TransactionalFileSink<String> sink = sink();
        sink.processElement("a", 0);
        snapshot(sink, 1);
        sink.processElement("b", 0);
        sink.checkpointComplete(1);
        sink.finish();
        sink.close();
        assertThat(committed()).containsExactly("a", "b");
        assertThat(staged()).as("nothing staged is left").isEmpty();
    }

    @Test
    void aSmallerParallelismCommitsAndCleansUpForTheSubtasksThatAreGone() throws Exception {
        TransactionalFileSink<String> s0 = sink(0, 2);
        TransactionalFileSink<String> s1 = sink(1, 2);
        s0.processElement("a0", 0);
        s1.processElement("a1", 0);
        byte[] state0 = snapshot(s0, 1);
        byte[] state1 = snapshot(s1, 1);
        s1.processElement("b1", 0);
        snapshot(s1, 2); // never completes

        TransactionalFileSink<String> merged = sink(0, 1, state0, state1);
        assertThat(committed()).containsExactlyInAnyOrder("a0", "a1");
        assertThat(staged()).as("old subtask 1's pending file of 2 is gone").doesNotContain(".part-1-2.pending");
        merged.close();
    }

    @Test
    void theOutputDirectoryMustNotExistWhenTheProgramIsBuilt() throws Exception {
        fs().mkdirs(out());
        assertThatThrownBy(() -> dev.cairn.dataflow.Dataflow.create(
                                DataflowOptions.defaults().withFileSystems(fileSystems()))
                        .fromCollection(List.of("a"), dev.cairn.common.codec.Codecs.STRING)
                        .writeAsTextExactlyOnce(out()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output directory " + out() + " already exists");
        // A factory is deserialized again on every node and for every run, after the first subtask
        // made the directory: the factory itself accepts it.
        new TransactionalFileSink.Factory<String>(out()).create();
    }
}
