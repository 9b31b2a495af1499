package dev.cairn.examples.stream;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.window.WindowAssigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Word counts per window over a directory that grows — the log-aggregation case:
 * {@code windowed-wordcount DIR OUT_DIR [WINDOW]}. Lines appended to the files of DIR are read
 * as they come; each word is stamped with the time it was read (ingestion time) and counted per
 * tumbling window (default 10s); a window's counts go to OUT_DIR as {@code windowEnd<TAB>word<TAB>count}
 * lines when a later word closes it, committed at each checkpoint (run it with
 * {@code --checkpoint-interval}). The job runs until cancelled, or until a file named
 * {@code _DONE} appears in DIR, which closes every window.
 */
public final class WindowedWordCount implements DataflowJob {
    /** A word and when it was read. */
    public record Word(String word, long readAt) {}

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length < 2 || args.length > 3)
            throw new IllegalArgumentException("usage: windowed-wordcount DIR OUT_DIR [WINDOW, e.g. 10s]");
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        Path out = Path.of(args[1]).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("not a directory: " + dir);
        Duration window = args.length == 3
                ? Duration.parse("PT" + args[2].toUpperCase(java.util.Locale.ROOT))
                : Duration.ofSeconds(10);
        flow.watchTextFiles(dir, Duration.ofMillis(200))
                .flatMap(WindowedWordCount::words, Codecs.record(Word.class))
                // A subtask whose files are quiet goes idle, so the others' windows still close.
                .assignTimestamps(
                        Word::readAt,
                        WatermarkStrategy.boundedOutOfOrderness(Duration.ZERO).withIdleness(Duration.ofSeconds(1)))
                .keyBy(Word::word, Codecs.STRING)
                .window(WindowAssigner.tumbling(window))
                .aggregate(
                        new Count(),
                        (word, context, counts, collector) ->
                                collector.collect(context.window().end() + "\t" + word + "\t"
                                        + counts.iterator().next()),
                        Codecs.LONG,
                        Codecs.STRING)
                .writeAsTextExactlyOnce(out);
    }

    static void words(String line, Collector<Word> out) {
        long now = System.currentTimeMillis(); // ingestion time: when the line was read
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean space = i == line.length() || Character.isWhitespace(line.charAt(i));
            if (space && start >= 0) {
                out.collect(new Word(line.substring(start, i), now));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
    }

    static final class Count implements AggregateFunction<Word, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Word value, Long accumulator) {
            return accumulator + 1;
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }
}
