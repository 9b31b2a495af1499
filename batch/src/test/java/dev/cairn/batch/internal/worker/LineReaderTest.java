package dev.cairn.batch.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class LineReaderTest {

    /** However a file is cut into splits, the splits' readers together see every line exactly once, in order. */
    @Property(tries = 200)
    void splitsSeeEveryLineExactlyOnce(@ForAll @LongRange(min = 0, max = 1000) long seed,
                                       @ForAll @IntRange(min = 1, max = 400) int splitSize,
                                       @ForAll @IntRange(min = 0, max = 60) int lineCount) throws IOException {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < lineCount; i++) {
            int len = random.nextInt(4) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 10 : 3000);
            StringBuilder l = new StringBuilder();
            for (int k = 0; k < len; k++) l.append((char) ('a' + random.nextInt(26)));
            if (random.nextInt(10) == 0) l.append("é✓");
            lines.add(l.toString());
            content.append(l).append(random.nextInt(8) == 0 ? "\r\n" : "\n");
        }
        boolean noFinalNewline = lineCount > 0 && random.nextBoolean() && !lines.getLast().isEmpty();
        if (noFinalNewline) content.setLength(content.length() - (content.charAt(content.length() - 2) == '\r' ? 2 : 1));
        Path file = Files.createTempFile("lines", ".txt");
        try {
            byte[] bytes = content.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(file, bytes);
            List<String> seen = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            for (long start = 0; start < bytes.length; start += splitSize) {
                try (LineReader r = new LineReader(file, start, Math.min(splitSize, bytes.length - start))) {
                    while (r.next()) {
                        seen.add(r.line());
                        offsets.add(r.offset());
                    }
                }
            }
            assertThat(seen).isEqualTo(lines);
            long expectedOffset = 0;
            for (int i = 0; i < lines.size(); i++) {
                assertThat(offsets.get(i)).isEqualTo(expectedOffset);
                expectedOffset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
                if (expectedOffset - 1 < bytes.length && bytes[(int) expectedOffset - 1] == '\r') expectedOffset++;
            }
        } finally {
            Files.delete(file);
        }
    }
}
