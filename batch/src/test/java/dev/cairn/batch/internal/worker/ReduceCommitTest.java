package dev.cairn.batch.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Reducer;
import dev.cairn.batch.internal.Protos;
import dev.cairn.batch.internal.proto.TaskAssignment;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.rpc.grpc.Channels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a reduce attempt moves its output into place when another attempt's is there already. */
class ReduceCommitTest {
    @TempDir
    Path dir;

    /** Emits one line per reduce task, so an attempt's output is recognisable. */
    public static final class MarkerReducer implements Reducer<String, Long, String, String> {
        @Override
        public void reduce(String key, Iterator<Long> values, Emitter<String, String> out) {}

        @Override
        public void cleanup(Emitter<String, String> out) throws Exception {
            out.emit("written-by", "late-attempt");
        }
    }

    /**
     * A late attempt (allowed to commit once, then frozen and replaced) finds the replacement's
     * part in place: it keeps that file rather than deleting it, which could leave the job
     * without the part if the job committed in between.
     */
    @Test
    void aLateAttemptKeepsThePartAnotherAttemptMovedIntoPlace() throws Exception {
        Path staging = Files.createDirectories(dir.resolve(".out.cairn-job-0001"));
        Files.createDirectories(staging.resolve("_attempts"));
        Path part = staging.resolve("part-r-00000");
        Files.writeString(part, "written-by\tthe-replacement\n");

        runReduceAttempt(staging);

        assertThat(Files.readString(part)).isEqualTo("written-by\tthe-replacement\n");
    }

    @Test
    void theFirstAttemptToCommitMovesItsPartIntoPlace() throws Exception {
        Path staging = Files.createDirectories(dir.resolve(".out.cairn-job-0001"));
        Files.createDirectories(staging.resolve("_attempts"));
        runReduceAttempt(staging);
        assertThat(Files.readString(staging.resolve("part-r-00000"))).isEqualTo("written-by\tlate-attempt\n");
    }

    /** Runs attempt 1 of reduce 0 (no map outputs to fetch) with {@link MarkerReducer}, its commit allowed. */
    private void runReduceAttempt(Path staging) throws Exception {
        RunningTask attempt = runningTask(staging, 1);
        try (Channels channels = new Channels()) {
            WorkerSettings settings = new WorkerSettings(
                    "w1",
                    "127.0.0.1:1",
                    () -> null,
                    dir.resolve("worker"),
                    1,
                    1 << 20,
                    16,
                    1 << 20,
                    1,
                    Duration.ofSeconds(5),
                    FileSystemRegistry.local());
            JobResources job = new JobResources("job-0001", dir.resolve("worker/jobs/job-0001"), jarWithOneClass());
            new ReduceTaskRunner(
                            attempt,
                            job,
                            new ShuffleFetcher(channels, settings, attempt, dir.resolve("shuffle")),
                            t -> null,
                            FileSystemRegistry.local())
                    .run();
        }
    }

    private RunningTask runningTask(Path staging, int attempt) {
        JobSpec spec = JobSpec.builder("t")
                .input(dir.toString())
                .output(dir.resolve("out").toString())
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(MarkerReducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .build();
        return new RunningTask(TaskAssignment.newBuilder()
                .setJobId("job-0001")
                .setSpec(Protos.toProto(spec))
                .setTaskId("reduce-00000")
                .setAttempt(attempt)
                .setTaskIndex(0)
                .setStagingDir(staging.toString())
                .build());
    }

    private static byte[] jarWithOneClass() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            jar.putNextEntry(new JarEntry("Placeholder.class"));
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
