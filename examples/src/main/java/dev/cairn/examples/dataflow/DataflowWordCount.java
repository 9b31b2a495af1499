package dev.cairn.examples.dataflow;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.Total;
import dev.cairn.dataflow.Utf8;
import dev.cairn.dataflow.functions.Collector;
import java.nio.file.Path;

/**
 * WordCount in the dataflow API: {@code dataflow-wordcount IN OUT_DIR}, run in batch
 * mode by default. Writes {@code word<TAB>count} lines, one per distinct word, like
 * the MapReduce {@code wordcount}. Words are runs of non-whitespace, as
 * {@link Character#isWhitespace} has it for ASCII; they stay UTF-8 bytes from the file to the
 * output ({@link Dataflow#readTextFileUtf8}, {@link Utf8#forEachWord}), and the count per word
 * ({@link dev.cairn.dataflow.KeyedStream#count}) adds them up by their bytes, before the shuffle
 * and in it. In batch mode each word's total comes once; as a stream it would be a running
 * total per occurrence.
 */
public final class DataflowWordCount implements DataflowJob {
    @Override
    public dev.cairn.dataflow.RuntimeMode mode() {
        return dev.cairn.dataflow.RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: dataflow-wordcount IN OUT_DIR");
        flow.readTextFileUtf8(Path.of(args[0]))
                .flatMap(DataflowWordCount::words, Utf8.CODEC)
                .keyBy(word -> word, Utf8.CODEC)
                .count()
                .map(DataflowWordCount::line, Codecs.STRING)
                .writeAsText(Path.of(args[1]));
    }

    static void words(Utf8 line, Collector<Utf8> out) {
        line.forEachWord(out::collect);
    }

    static String line(Total<Utf8> count) {
        return count.key() + "\t" + count.total();
    }
}
