package dev.cairn.cli.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Cairn's own deterministic word-count corpus: lines of 4 to 24 lowercase words, drawn with a
 * Zipf(1) law over a fixed vocabulary of pseudo-words (so a few words dominate, as in text).
 * The same size and seed always give the same bytes.
 */
public final class CorpusGenerator {
    private static final String[] SYLLABLES = {
        "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "qui", "ro", "su", "ta", "ve", "wi",
        "xo", "yu", "zo", "bri", "cla", "dro"
    };

    private final byte[][] words;
    /** Cumulative Zipf weights, for sampling by binary search. */
    private final double[] cumulative;

    public CorpusGenerator(int vocabulary) {
        words = new byte[vocabulary][];
        cumulative = new double[vocabulary];
        double sum = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < vocabulary; i++) {
            sb.setLength(0);
            int x = i;
            do {
                sb.append(SYLLABLES[x % SYLLABLES.length]);
                x /= SYLLABLES.length;
            } while (x > 0);
            words[i] = sb.toString().getBytes(StandardCharsets.US_ASCII);
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        for (int i = 0; i < vocabulary; i++) cumulative[i] /= sum;
    }

    /** Writes about {@code bytes} bytes (ending at a line end) to {@code file}; reports bytes written as it goes. */
    public void write(Path file, long bytes, long seed, LongConsumer progress) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            long written = 0;
            long nextReport = 0;
            while (written < bytes) {
                int n = 4 + random.nextInt(21);
                for (int k = 0; k < n; k++) {
                    byte[] w = words[sample(random.nextDouble())];
                    if (k > 0) {
                        out.write(' ');
                        written++;
                    }
                    out.write(w);
                    written += w.length;
                }
                out.write('\n');
                written++;
                if (written >= nextReport) {
                    progress.accept(written);
                    nextReport = written + (8 << 20);
                }
            }
            progress.accept(written);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private int sample(double u) {
        int lo = 0, hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
