package dev.cairn.examples.dataflow;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.functions.Collector;
import java.nio.file.Path;

/**
 * WordCount in the dataflow API: {@code dataflow-wordcount IN OUT_DIR}, run in batch
 * mode by default. Writes {@code word<TAB>count} lines, one per distinct word, like
 * the MapReduce {@code wordcount}. In batch mode the keyed reduce gives each word's total once;
 * as a stream it would emit a running total per occurrence.
 */
public final class DataflowWordCount implements DataflowJob {
    /** A word and how often it was seen. */
    public record Count(String word, long count) {}

    @Override
    public dev.cairn.dataflow.RuntimeMode mode() {
        return dev.cairn.dataflow.RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: dataflow-wordcount IN OUT_DIR");
        flow.readTextFile(Path.of(args[0]))
                .flatMap(DataflowWordCount::words, Codecs.record(Count.class))
                .keyBy(Count::word, Codecs.STRING)
                .reduce((a, b) -> new Count(a.word(), a.count() + b.count()))
                .map(c -> c.word() + "\t" + c.count(), Codecs.STRING)
                .writeAsText(Path.of(args[1]));
    }

    static void words(String line, Collector<Count> out) {
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean space = i == line.length() || Character.isWhitespace(line.charAt(i));
            if (space && start >= 0) {
                out.collect(new Count(line.substring(start, i), 1));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
    }
}
