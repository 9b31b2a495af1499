package dev.cairn.bench.stream;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The yardstick of bench/stream.sh: Nexmark Q5, Q7 or Q8 over NexmarkGen's event file, by hand on
 * one thread — read a line, parse the fields the query needs, update per-window state, and write a
 * window's answer lines once the watermark (largest timestamp seen minus 5 s, NexmarkGen's bound)
 * has passed its end. Windows are aligned to epoch 0 and reported by their end, as in NexmarkGen's
 * answer files; the output, sorted bytewise, equals them.
 *
 * <pre>
 *   NexmarkSingleThread QUERY EVENTS_FILE EVENT_COUNT OUT_FILE
 * </pre>
 *
 * Prints {@code stream engine=single-thread query=... events=... seconds=... events_per_s=...}:
 * the time from opening the event file to the output file closed.
 */
public final class NexmarkSingleThread {
    static final long BOUND_MS = 5_000;
    static final long TUMBLE_MS = 10_000;
    static final long SLIDE_MS = 2_000;

    private NexmarkSingleThread() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: NexmarkSingleThread q5|q7|q8 EVENTS_FILE EVENT_COUNT OUT_FILE");
            System.exit(2);
        }
        String query = args[0];
        Path events = Path.of(args[1]);
        long count = Long.parseLong(args[2]);
        Path out = Path.of(args[3]);
        long start = System.nanoTime();
        try (BufferedReader in = Files.newBufferedReader(events, StandardCharsets.US_ASCII);
                Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.US_ASCII), 1 << 16)) {
            Query q = switch (query) {
                case "q5" -> new Q5(w);
                case "q7" -> new Q7(w);
                case "q8" -> new Q8(w);
                default -> throw new IllegalArgumentException("unknown query " + query);
            };
            long maxTs = Long.MIN_VALUE;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long ts = q.accept(line);
                if (ts > maxTs) {
                    maxTs = ts;
                    q.advance(maxTs - BOUND_MS);
                }
            }
            q.advance(Long.MAX_VALUE);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "stream engine=single-thread query=%s events=%d seconds=%.3f events_per_s=%.0f%n",
                query, count, seconds, count / seconds);
    }

    /** One query's state: fed every line, told when every window ending at or before a time is complete. */
    private abstract static class Query {
        final Writer out;

        Query(Writer out) {
            this.out = out;
        }

        /** Takes one event line; returns its timestamp (or Long.MIN_VALUE if the query ignores the line). */
        abstract long accept(String line);

        /** Every event still to come has a timestamp at or above {@code watermark}: windows ending by then are done. */
        abstract void advance(long watermark);

        void write(String s) {
            try {
                out.write(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Q5: per sliding 10 s window every 2 s, the auctions with the most bids. */
    private static final class Q5 extends Query {
        private final TreeMap<Long, Map<Long, long[]>> windows = new TreeMap<>();

        Q5(Writer out) {
            super(out);
        }

        @Override
        long accept(String line) {
            if (line.charAt(0) != 'B') return Long.MIN_VALUE;
            Fields f = new Fields(line);
            long ts = f.nextLong();
            long auction = f.nextLong();
            long firstEnd = Math.floorDiv(ts, SLIDE_MS) * SLIDE_MS + SLIDE_MS;
            for (long end = firstEnd; end <= ts + TUMBLE_MS; end += SLIDE_MS) {
                windows.computeIfAbsent(end, e -> new HashMap<>()).computeIfAbsent(auction, a -> new long[1])[0]++;
            }
            return ts;
        }

        @Override
        void advance(long watermark) {
            while (!windows.isEmpty() && windows.firstKey() <= watermark) {
                Map.Entry<Long, Map<Long, long[]>> window = windows.pollFirstEntry();
                long best = 0;
                for (long[] c : window.getValue().values()) best = Math.max(best, c[0]);
                for (Map.Entry<Long, long[]> e : window.getValue().entrySet()) {
                    if (e.getValue()[0] == best) write(window.getKey() + "\t" + e.getKey() + "\t" + best + "\n");
                }
            }
        }
    }

    /** Q7: per tumbling 10 s window, every bid with the window's highest price. */
    private static final class Q7 extends Query {
        /** Per window end: the highest price and the (auction, bidder) pairs that bid it. */
        private final TreeMap<Long, Top> windows = new TreeMap<>();

        private static final class Top {
            long price = Long.MIN_VALUE;
            final List<long[]> bids = new ArrayList<>();
        }

        Q7(Writer out) {
            super(out);
        }

        @Override
        long accept(String line) {
            if (line.charAt(0) != 'B') return Long.MIN_VALUE;
            Fields f = new Fields(line);
            long ts = f.nextLong();
            long auction = f.nextLong();
            long bidder = f.nextLong();
            long price = f.nextLong();
            Top top = windows.computeIfAbsent(Math.floorDiv(ts, TUMBLE_MS) * TUMBLE_MS + TUMBLE_MS, e -> new Top());
            if (price > top.price) {
                top.price = price;
                top.bids.clear();
            }
            if (price == top.price) top.bids.add(new long[] {auction, bidder});
            return ts;
        }

        @Override
        void advance(long watermark) {
            while (!windows.isEmpty() && windows.firstKey() <= watermark) {
                Map.Entry<Long, Top> window = windows.pollFirstEntry();
                Top top = window.getValue();
                for (long[] b : top.bids) write(window.getKey() + "\t" + b[0] + "\t" + b[1] + "\t" + top.price + "\n");
            }
        }
    }

    /** Q8: persons who registered and opened an auction (as its seller) in the same tumbling 10 s window. */
    private static final class Q8 extends Query {
        private final TreeMap<Long, Window> windows = new TreeMap<>();

        private static final class Window {
            final Map<Long, List<String>> persons = new HashMap<>();
            final Set<Long> sellers = new HashSet<>();
        }

        Q8(Writer out) {
            super(out);
        }

        @Override
        long accept(String line) {
            char kind = line.charAt(0);
            if (kind == 'P') {
                // P,time,id,name,...
                Fields f = new Fields(line);
                long ts = f.nextLong();
                long id = f.nextLong();
                window(ts).persons.computeIfAbsent(id, i -> new ArrayList<>()).add(f.next());
                return ts;
            }
            if (kind == 'A') {
                // A,time,id,itemName,description,initialBid,reserve,expires,seller,...
                Fields f = new Fields(line);
                long ts = f.nextLong();
                for (int i = 0; i < 6; i++) f.skip();
                window(ts).sellers.add(f.nextLong());
                return ts;
            }
            return Long.MIN_VALUE;
        }

        private Window window(long ts) {
            return windows.computeIfAbsent(Math.floorDiv(ts, TUMBLE_MS) * TUMBLE_MS + TUMBLE_MS, e -> new Window());
        }

        @Override
        void advance(long watermark) {
            while (!windows.isEmpty() && windows.firstKey() <= watermark) {
                Map.Entry<Long, Window> window = windows.pollFirstEntry();
                Window w = window.getValue();
                for (Map.Entry<Long, List<String>> p : w.persons.entrySet()) {
                    if (!w.sellers.contains(p.getKey())) continue;
                    for (String name : p.getValue()) write(window.getKey() + "\t" + p.getKey() + "\t" + name + "\n");
                }
            }
        }
    }

    /** A cursor over a line's comma-separated fields, starting after the kind. */
    private static final class Fields {
        private final String line;
        private int pos = 2;

        Fields(String line) {
            this.line = line;
        }

        void skip() {
            int comma = line.indexOf(',', pos);
            pos = comma < 0 ? line.length() : comma + 1;
        }

        String next() {
            int comma = line.indexOf(',', pos);
            int end = comma < 0 ? line.length() : comma;
            String s = line.substring(pos, end);
            pos = end + 1;
            return s;
        }

        long nextLong() {
            boolean negative = line.charAt(pos) == '-';
            int i = negative ? pos + 1 : pos;
            long v = 0;
            for (char c; i < line.length() && (c = line.charAt(i)) != ','; i++) v = v * 10 + (c - '0');
            pos = i + 1;
            return negative ? -v : v;
        }
    }
}
