package dev.cairn.examples.terasort;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.fs.FsPaths;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowJob;
import dev.cairn.dataflow.RuntimeMode;
import java.nio.file.Path;

/**
 * TeraGen: {@code teragen ROWS OUT_DIR} writes ROWS records in gensort's ASCII format
 * ({@code gensort -a}): 100 bytes each, a printable 10-byte key, two spaces, the row number in 32
 * hex digits, two spaces, 52 bytes of filler, CR LF. Row r's key and filler depend on r alone (a
 * hash of it), so any parallelism writes the same rows; each task writes one contiguous range of
 * rows to its part file. Batch mode.
 */
public final class TeraGen implements DataflowJob {
    /** Bytes per record, CR LF included. */
    public static final int RECORD_BYTES = 100;

    @Override
    public RuntimeMode mode() {
        return RuntimeMode.BATCH;
    }

    @Override
    public void define(Dataflow flow, String[] args) {
        if (args.length != 2) throw new IllegalArgumentException("usage: teragen ROWS OUT_DIR");
        long rows;
        try {
            rows = Long.parseLong(args[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("teragen: ROWS must be a whole number, got '" + args[0] + "'");
        }
        if (rows < 0) throw new IllegalArgumentException("teragen: ROWS must be >= 0, got " + rows);
        // The text sink ends each line with '\n': the record is written up to its CR.
        flow.generateSequence(0, rows)
                .map(TeraGen::recordWithoutNewline, Codecs.STRING)
                .writeAsTextExactlyOnce(absolute(args[1]));
    }

    static String absolute(String path) {
        return FsPaths.scheme(path) != null
                ? path
                : Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** Row {@code row}'s record, without its final '\n'. */
    public static String recordWithoutNewline(long row) {
        char[] r = new char[RECORD_BYTES - 1];
        long h = mix(row * 2 + 1);
        long g = mix(row * 2 + 2);
        // The key: ten characters from ' ' to '~', from 64 + 64 random bits.
        long k = h;
        for (int i = 0; i < 9; i++) {
            r[i] = (char) (' ' + Long.remainderUnsigned(k, 95));
            k = Long.divideUnsigned(k, 95);
        }
        r[9] = (char) (' ' + Long.remainderUnsigned(g, 95));
        r[10] = ' ';
        r[11] = ' ';
        String hex = Long.toHexString(row).toUpperCase(java.util.Locale.ROOT);
        for (int i = 0; i < 32; i++) {
            int at = i - (32 - hex.length());
            r[12 + i] = at < 0 ? '0' : hex.charAt(at);
        }
        r[44] = ' ';
        r[45] = ' ';
        long f = Long.rotateRight(g, 7);
        for (int i = 0; i < 13; i++) {
            char c = (char) ('A' + (int) ((f >>> (4 * i)) & 0xF));
            for (int j = 0; j < 4; j++) r[46 + 4 * i + j] = c;
        }
        r[98] = '\r';
        return new String(r);
    }

    /** MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
