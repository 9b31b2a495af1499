package dev.cairn.examples.stream;

import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.Stream;
import dev.cairn.dataflow.nexmark.NexmarkQueries;
import java.nio.file.Path;

/**
 * Nexmark Q5, Q7 or Q8 over a NexmarkGen event file, as a stream job:
 * {@code nexmark-qN EVENTS.csv OUT_DIR [MALFORMED_DIR]}, local paths or {@code cairn://} ones in
 * the store. The file is read as a bounded stream (its end is a final watermark that fires every
 * window); the results go to part files in OUT_DIR, which must not exist, through the exactly-once
 * file sink. Sorted bytewise, their lines equal NexmarkGen's answer.
 *
 * <p>A malformed line fails the job, naming the file, the line's byte offset and the bad field.
 * With MALFORMED_DIR (which must not exist either) malformed lines go there instead, exactly once,
 * each as its reason, a tab and the line ({@link NexmarkQueries#wellFormed}), and the job goes on
 * with the others.
 */
public abstract class NexmarkJob implements DataflowJob {
    private final String name;

    NexmarkJob(String name) {
        this.name = name;
    }

    abstract Stream<String> query(Stream<String> events);

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2 && args.length != 3)
            throw new IllegalArgumentException("usage: " + name + " EVENTS.csv OUT_DIR [MALFORMED_DIR]");
        // Missing input and existing output are refused by name: here for local paths, by the
        // master for cairn:// ones, before the job runs.
        String events = absolute(args[0]);
        if (FsPaths.scheme(events) == null && !java.nio.file.Files.isReadable(Path.of(events)))
            throw new IllegalArgumentException("input file or directory " + events + " does not exist");
        Stream<String> lines = flow.readTextFile(events);
        if (args.length == 3) {
            lines = NexmarkQueries.wellFormed(lines);
            lines.sideOutput(NexmarkQueries.MALFORMED).writeAsTextExactlyOnce(absolute(args[2]));
        }
        query(lines).writeAsTextExactlyOnce(absolute(args[1]));
    }

    /** Nodes run elsewhere: local paths are resolved where the user typed them; others are absolute. */
    private static String absolute(String path) {
        return FsPaths.scheme(path) != null
                ? path
                : Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** Hot items: the auctions with the most bids per sliding window of 10 s every 2 s. */
    public static final class Q5 extends NexmarkJob {
        public Q5() {
            super("nexmark-q5");
        }

        @Override
        Stream<String> query(Stream<String> events) {
            return NexmarkQueries.q5(events);
        }
    }

    /** Highest bid per tumbling window of 10 s. */
    public static final class Q7 extends NexmarkJob {
        public Q7() {
            super("nexmark-q7");
        }

        @Override
        Stream<String> query(Stream<String> events) {
            return NexmarkQueries.q7(events);
        }
    }

    /** New persons who opened an auction in the 10 s window they registered in (a window join). */
    public static final class Q8 extends NexmarkJob {
        public Q8() {
            super("nexmark-q8");
        }

        @Override
        Stream<String> query(Stream<String> events) {
            return NexmarkQueries.q8(events);
        }
    }
}
