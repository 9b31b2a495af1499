package dev.cairn.examples.dataflow;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.Stream;
import java.nio.file.Path;

/**
 * Two aggregations and a join over one cached dataset: {@code cached-wordstats IN OUT_DIR}, in
 * batch mode. The words of the input are split once and {@link Stream#cache() cached} on the
 * workers; from the cache, one branch counts each word and another counts the words of each
 * length; a join gives every word with its count and the count of all words as long as it.
 * Writes {@code word<TAB>count<TAB>wordsOfItsLength} lines, one per distinct word.
 */
public final class CachedWordStats implements DataflowJob {
    /** A key (a word, or a length in decimal) and how often it was seen. */
    public record Count(String key, long count) {}

    @Override
    public dev.cairn.dataflow.RuntimeMode mode() {
        return dev.cairn.dataflow.RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: cached-wordstats IN OUT_DIR");
        Stream<String> words = flow.readTextFile(Path.of(args[0]))
                .flatMap(CachedWordStats::words, Codecs.STRING)
                .cache();
        Stream<Count> perWord = words.map(w -> new Count(w, 1), Codecs.record(Count.class))
                .keyBy(Count::key, Codecs.STRING)
                .reduce((a, b) -> new Count(a.key(), a.count() + b.count()));
        Stream<Count> perLength = words.map(w -> new Count(Integer.toString(w.length()), 1), Codecs.record(Count.class))
                .keyBy(Count::key, Codecs.STRING)
                .reduce((a, b) -> new Count(a.key(), a.count() + b.count()));
        perWord.keyBy(c -> Integer.toString(c.key().length()), Codecs.STRING)
                .join(perLength.keyBy(Count::key, Codecs.STRING))
                .apply((w, l) -> w.key() + "\t" + w.count() + "\t" + l.count(), Codecs.STRING)
                .writeAsText(Path.of(args[1]));
    }

    /** The whitespace-separated words of {@code line}. */
    static void words(String line, dev.cairn.dataflow.functions.Collector<String> out) {
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean space = i == line.length() || Character.isWhitespace(line.charAt(i));
            if (space && start >= 0) {
                out.collect(line.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
    }
}
