package dev.cairn.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-threaded baseline of the word-count benchmark, written the way a competent Java
 * programmer would count words in one file without a framework (the COST paper's yardstick):
 * stream the file through a 1 MiB buffer, cut words at ASCII whitespace, count them in a
 * {@code HashMap<String, long[]>}, then write {@code word<TAB>count} lines sorted by word.
 *
 * <pre>java -cp cairn-bench.jar dev.cairn.bench.SingleThreadWordCount INPUT OUTPUT</pre>
 */
public final class SingleThreadWordCount {
    private SingleThreadWordCount() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SingleThreadWordCount INPUT OUTPUT");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        Map<String, long[]> counts = count(Path.of(args[0]));
        long t1 = System.nanoTime();
        write(counts, Path.of(args[1]));
        long t2 = System.nanoTime();
        System.err.printf(
                "counted %,d distinct words in %.2f s, wrote them in %.2f s%n",
                counts.size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }

    static Map<String, long[]> count(Path input) throws IOException {
        Map<String, long[]> counts = new HashMap<>(1 << 18);
        byte[] buf = new byte[1 << 20];
        byte[] word = new byte[256];
        int wordLen = 0;
        try (InputStream in = Files.newInputStream(input)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' || b == 0x0B) {
                        if (wordLen > 0) {
                            counts.computeIfAbsent(
                                            new String(word, 0, wordLen, StandardCharsets.UTF_8), k -> new long[1])[
                                    0]++;
                            wordLen = 0;
                        }
                    } else {
                        if (wordLen == word.length) word = java.util.Arrays.copyOf(word, word.length * 2);
                        word[wordLen++] = b;
                    }
                }
            }
        }
        if (wordLen > 0)
            counts.computeIfAbsent(new String(word, 0, wordLen, StandardCharsets.UTF_8), k -> new long[1])[0]++;
        return counts;
    }

    static void write(Map<String, long[]> counts, Path output) throws IOException {
        List<String> words = new ArrayList<>(counts.keySet());
        words.sort(null);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 20)) {
            for (String w : words) {
                out.write(w.getBytes(StandardCharsets.UTF_8));
                out.write('\t');
                out.write(Long.toString(counts.get(w)[0]).getBytes(StandardCharsets.US_ASCII));
                out.write('\n');
            }
        }
    }
}
