package dev.cairn.examples.terasort;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.RuntimeMode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TeraSort: {@code terasort IN OUT_DIR} sorts gensort ASCII records (as {@link TeraGen} writes
 * them) by their 10-byte key. The records are range-partitioned over the tasks (the parallelism)
 * with boundaries sampled from the input in a first pass, each range sorted by the shuffle, so
 * OUT_DIR's part files one after the other are the input in key order. Records are read as lines
 * without their CR LF and written back with it, byte for byte. Batch mode.
 */
public final class TeraSort implements DataflowJob {
    @Override
    public RuntimeMode mode() {
        return RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: terasort IN OUT_DIR");
        String in = TeraGen.absolute(args[0]);
        if (FsPaths.scheme(in) == null && !Files.exists(Path.of(in)))
            throw new IllegalArgumentException("terasort: input " + in + " does not exist");
        flow.readTextFile(in)
                .filter(TeraSort::wellFormed)
                .name("check record")
                .sortBy(TeraSort::key, Codecs.STRING)
                .map(line -> line + "\r", Codecs.STRING)
                .writeAsTextExactlyOnce(TeraGen.absolute(args[1]));
    }

    static String key(String record) {
        return record.substring(0, 10);
    }

    /** A record is 98 characters without its CR LF; anything else is not gensort's, and fails the job. */
    static boolean wellFormed(String line) {
        if (line.length() != TeraGen.RECORD_BYTES - 2)
            throw new IllegalArgumentException("not a gensort ASCII record: " + line.length()
                    + " bytes before its line end, not " + (TeraGen.RECORD_BYTES - 2));
        return true;
    }
}
