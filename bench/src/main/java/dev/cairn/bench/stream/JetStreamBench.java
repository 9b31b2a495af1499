package dev.cairn.bench.stream;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.Traversers;
import com.hazelcast.jet.aggregate.AggregateOperation;
import com.hazelcast.jet.aggregate.AggregateOperation1;
import com.hazelcast.jet.aggregate.AggregateOperations;
import com.hazelcast.jet.datamodel.KeyedWindowResult;
import com.hazelcast.jet.datamodel.Tuple2;
import com.hazelcast.jet.pipeline.Pipeline;
import com.hazelcast.jet.pipeline.SinkBuilder;
import com.hazelcast.jet.pipeline.SourceBuilder;
import com.hazelcast.jet.pipeline.StreamSource;
import com.hazelcast.jet.pipeline.StreamStage;
import com.hazelcast.jet.pipeline.WindowDefinition;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Hazelcast Jet's side of bench/stream.sh: Nexmark Q5, Q7 or Q8 with the same two-stage plans as
 * Cairn's NexmarkQueries, on one embedded member (no discovery: it joins nobody) with the given
 * number of cooperative threads. A source reads NexmarkGen's file line by line with the event time
 * as the native timestamp (watermark lag 5 s); after the last line it emits one marker a minute
 * later in event time, so that every window closes. A Jet stream source may not complete, so the
 * job never ends by itself: once the source has read the whole file and the sink has received
 * nothing for {@value #QUIET_MS} ms, the job is cancelled; the time counted ends with the last
 * line the sink received (plus writing the file). If that quiet period cut a slow window short,
 * the output is incomplete and the script reports it WRONG.
 *
 * <pre>
 *   JetStreamBench QUERY EVENTS_FILE EVENT_COUNT OUT_FILE COOPERATIVE_THREADS
 * </pre>
 *
 * Prints {@code stream engine=jet query=... events=... seconds=... events_per_s=...}: the time from
 * submitting the job (the member already up) to the last result received, plus writing the file.
 */
public final class JetStreamBench {
    private static final long LAG_MS = 5_000;
    static final long QUIET_MS = 3_000;
    static final ConcurrentLinkedQueue<String> RESULTS = new ConcurrentLinkedQueue<>();
    static volatile long lastResultNanos;
    static volatile boolean sourceDone;

    private JetStreamBench() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: JetStreamBench q5|q7|q8 EVENTS_FILE EVENT_COUNT OUT_FILE COOPERATIVE_THREADS");
            System.exit(2);
        }
        String query = args[0];
        String events = args[1];
        long count = Long.parseLong(args[2]);
        Path out = Path.of(args[3]);
        int threads = Integer.parseInt(args[4]);
        Config config = new Config();
        config.setClusterName("cairn-stream-bench-" + ProcessHandle.current().pid());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getJetConfig().setEnabled(true).setCooperativeThreadCount(threads);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
        try {
            Pipeline p = Pipeline.create();
            StreamStage<String> lines = p.readFrom(source(events)).withNativeTimestamps(LAG_MS);
            StreamStage<String> result = switch (query) {
                case "q5" -> q5(lines);
                case "q7" -> q7(lines);
                case "q8" -> q8(lines);
                default -> throw new IllegalArgumentException("unknown query " + query);
            };
            result.writeTo(SinkBuilder.sinkBuilder("collect", ctx -> RESULTS)
                    .<String>receiveFn((q, line) -> {
                        q.add(line);
                        lastResultNanos = System.nanoTime();
                    })
                    .build());
            long start = System.nanoTime();
            lastResultNanos = start;
            Job job = hz.getJet().newJob(p);
            while (!sourceDone || System.nanoTime() - lastResultNanos < QUIET_MS * 1_000_000L) {
                if (job.getFuture().isDone()) job.join(); // failed: throws
                LockSupport.parkNanos(10_000_000L);
            }
            long end = lastResultNanos;
            job.cancel();
            long writeStart = System.nanoTime();
            try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.US_ASCII), 1 << 16)) {
                for (String line : RESULTS) {
                    w.write(line);
                    w.write('\n');
                }
            }
            double seconds = (end - start + System.nanoTime() - writeStart) / 1e9;
            System.out.printf(
                    "stream engine=jet query=%s parallelism=%d events=%d seconds=%.3f events_per_s=%.0f%n",
                    query, threads, count, seconds, count / seconds);
        } finally {
            hz.shutdown();
        }
    }

    /** The lines of the file, each timestamped with its event time; then the closing marker. */
    static StreamSource<String> source(String file) {
        return SourceBuilder.timestampedStream("events", ctx -> new LineReader(file))
                .<String>fillBufferFn((r, buf) -> {
                    for (int i = 0; i < 1024; i++) {
                        String line = r.in.readLine();
                        if (line == null) {
                            if (!sourceDone) buf.add("X", r.maxTs + 60_000);
                            sourceDone = true;
                            return;
                        }
                        long ts = timestamp(line);
                        r.maxTs = Math.max(r.maxTs, ts);
                        buf.add(line, ts);
                    }
                })
                .destroyFn(r -> r.in.close())
                .build();
    }

    static final class LineReader {
        final BufferedReader in;
        long maxTs = Long.MIN_VALUE;

        LineReader(String file) throws IOException {
            in = Files.newBufferedReader(Path.of(file), StandardCharsets.US_ASCII);
        }
    }

    /** (auction, bidder, price) of a bid. */
    record Bid(long auction, long bidder, long price) implements Serializable {}

    /** (window end, auction, bidder, price): a highest bid of an auction in a window. */
    record TopBid(long end, long auction, long bidder, long price) implements Serializable {}

    /** (id, name) of a person. */
    record Person(long id, String name) implements Serializable {}

    static StreamStage<Bid> bids(StreamStage<String> lines) {
        return lines.filter(l -> l.charAt(0) == 'B').map(JetStreamBench::bid);
    }

    static StreamStage<String> q5(StreamStage<String> lines) {
        return bids(lines)
                .window(WindowDefinition.sliding(10_000, 2_000))
                .groupingKey(Bid::auction)
                .aggregate(AggregateOperations.counting())
                .window(WindowDefinition.tumbling(2_000))
                .groupingKey(KeyedWindowResult::end)
                .aggregate(leaders((Top t, KeyedWindowResult<Long, Long> c) -> t.offer(c.result(), c.key(), 0)))
                .flatMap(r -> Traversers.traverseIterable(r.result().lines(r.key() + "\t", false)));
    }

    static StreamStage<String> q7(StreamStage<String> lines) {
        return bids(lines)
                .window(WindowDefinition.tumbling(10_000))
                .groupingKey(Bid::auction)
                .aggregate(leaders((Top t, Bid b) -> t.offer(b.price(), b.auction(), b.bidder())))
                .flatMap(r -> Traversers.traverseIterable(r.result().topBids(r.end())))
                .window(WindowDefinition.tumbling(10_000))
                .groupingKey(TopBid::end)
                .aggregate(leaders((Top t, TopBid b) -> t.offer(b.price(), b.auction(), b.bidder())))
                .flatMap(r -> Traversers.traverseIterable(r.result().lines(r.key() + "\t", true)));
    }

    static StreamStage<String> q8(StreamStage<String> lines) {
        StreamStage<Person> persons = lines.filter(l -> l.charAt(0) == 'P').map(JetStreamBench::person);
        StreamStage<Long> sellers = lines.filter(l -> l.charAt(0) == 'A').map(JetStreamBench::seller);
        return persons.window(WindowDefinition.tumbling(10_000))
                .groupingKey(Person::id)
                .aggregate2(AggregateOperations.toList(), sellers.groupingKey(s -> s), AggregateOperations.counting())
                .flatMap(r -> {
                    Tuple2<List<Person>, Long> pa = r.result();
                    List<String> out = new ArrayList<>();
                    if (pa.f1() != null && pa.f1() > 0) {
                        for (Person p : pa.f0()) out.add(r.end() + "\t" + p.id() + "\t" + p.name());
                    }
                    return Traversers.traverseIterable(out);
                });
    }

    /** Highest-value entries, ties kept: (value, a, b) offered, the entries with the best value listed. */
    static final class Top implements Serializable {
        private static final long serialVersionUID = 1L;
        long best = Long.MIN_VALUE;
        final ArrayList<long[]> entries = new ArrayList<>();

        Top offer(long value, long a, long b) {
            if (value > best) {
                best = value;
                entries.clear();
            }
            if (value == best) entries.add(new long[] {a, b});
            return this;
        }

        List<String> lines(String prefix, boolean withB) {
            List<String> out = new ArrayList<>(entries.size());
            for (long[] e : entries) out.add(prefix + e[0] + "\t" + (withB ? e[1] + "\t" : "") + best);
            return out;
        }

        List<TopBid> topBids(long end) {
            List<TopBid> out = new ArrayList<>(entries.size());
            for (long[] e : entries) out.add(new TopBid(end, e[0], e[1], best));
            return out;
        }
    }

    /** An offering function of {@link #leaders}. */
    interface Offer<T> extends Serializable {
        void offer(Top top, T item);
    }

    static <T> AggregateOperation1<T, Top, Top> leaders(Offer<T> offer) {
        return AggregateOperation.withCreate(Top::new)
                .<T>andAccumulate(offer::offer)
                .andCombine((a, b) -> {
                    for (long[] e : b.entries) a.offer(b.best, e[0], e[1]);
                })
                .andExportFinish(t -> t);
    }

    static long timestamp(String line) {
        long v = 0;
        for (int i = 2; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ',') break;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** B,time,auction,bidder,price,extra */
    static Bid bid(String line) {
        int[] pos = {line.indexOf(',', 2) + 1};
        long auction = nextLong(line, pos);
        long bidder = nextLong(line, pos);
        return new Bid(auction, bidder, nextLong(line, pos));
    }

    /** P,time,id,name,... */
    static Person person(String line) {
        int[] pos = {line.indexOf(',', 2) + 1};
        long id = nextLong(line, pos);
        return new Person(id, line.substring(pos[0], line.indexOf(',', pos[0])));
    }

    /** A,time,id,itemName,description,initialBid,reserve,expires,seller,... */
    static Long seller(String line) {
        int p = 0;
        for (int i = 0; i < 8; i++) p = line.indexOf(',', p) + 1;
        return nextLong(line, new int[] {p});
    }

    static long nextLong(String line, int[] pos) {
        long v = 0;
        int i = pos[0];
        for (char c; i < line.length() && (c = line.charAt(i)) != ','; i++) v = v * 10 + (c - '0');
        pos[0] = i + 1;
        return v;
    }
}
