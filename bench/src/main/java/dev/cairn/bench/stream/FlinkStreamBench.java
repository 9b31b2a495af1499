package dev.cairn.bench.stream;

import java.io.BufferedWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.CoGroupFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Apache Flink's side of bench/stream.sh: Nexmark Q5, Q7 or Q8 as Cairn's NexmarkQueries computes
 * them (the same two-stage plans), on a local environment (a MiniCluster in this JVM) at the given
 * parallelism, streaming mode, reading NexmarkGen's file with a FileSource, event time with a 5 s
 * bounded-out-of-orderness watermark and windows aligned to epoch 0. The result comes back with
 * {@code executeAndCollect} and is written to a file.
 *
 * <pre>
 *   FlinkStreamBench QUERY EVENTS_FILE EVENT_COUNT OUT_FILE PARALLELISM [CHECKPOINT_INTERVAL_MS CHECKPOINT_DIR]
 * </pre>
 *
 * With a checkpoint interval, the job takes exactly-once checkpoints that often to CHECKPOINT_DIR
 * (filesystem checkpoint storage, the default heap state backend), and, as Flink's collect sink
 * does under checkpointing, hands over results only once a checkpoint after them has completed.
 *
 * <p>Prints {@code stream engine=flink|flink-ckpt query=... events=... seconds=... events_per_s=...}:
 * the time from {@code executeAndCollect} (which also starts the local MiniCluster) to the output
 * file closed.
 */
public final class FlinkStreamBench {
    /** NexmarkGen's disorder bound: no event is more than this below the largest timestamp before it. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    private FlinkStreamBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 7) {
            System.err.println("usage: FlinkStreamBench q5|q7|q8 EVENTS_FILE EVENT_COUNT OUT_FILE PARALLELISM"
                    + " [CHECKPOINT_INTERVAL_MS CHECKPOINT_DIR]");
            System.exit(2);
        }
        String query = args[0];
        long count = Long.parseLong(args[2]);
        java.nio.file.Path out = java.nio.file.Path.of(args[3]);
        int parallelism = Integer.parseInt(args[4]);
        boolean checkpointed = args.length == 7;
        Configuration conf = new Configuration();
        if (checkpointed) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    java.nio.file.Path.of(args[6]).toAbsolutePath().toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        if (checkpointed) env.enableCheckpointing(Long.parseLong(args[5]), CheckpointingMode.EXACTLY_ONCE);
        DataStream<String> lines = env.fromSource(
                FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(args[1]))
                        .build(),
                WatermarkStrategy.noWatermarks(),
                "events");
        DataStream<String> result = switch (query) {
            case "q5" -> q5(lines);
            case "q7" -> q7(lines);
            case "q8" -> q8(lines);
            default -> throw new IllegalArgumentException("unknown query " + query);
        };
        long start = System.nanoTime();
        CloseableIterator<String> it = result.executeAndCollect("Nexmark " + query);
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.US_ASCII), 1 << 16)) {
            while (it.hasNext()) {
                w.write(it.next());
                w.write('\n');
            }
        } finally {
            it.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "stream engine=%s query=%s parallelism=%d events=%d seconds=%.3f events_per_s=%.0f%n",
                checkpointed ? "flink-ckpt" : "flink", query, parallelism, count, seconds, count / seconds);
    }

    static DataStream<Tuple4<Long, Long, Long, Long>> bids(DataStream<String> lines) {
        return lines.flatMap(new ParseBids())
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Tuple4<Long, Long, Long, Long>>forBoundedOutOfOrderness(BOUND)
                                .withTimestampAssigner((b, ts) -> b.f3));
    }

    /** Q5: bid counts per auction and sliding window (10 s every 2 s), then the leaders per window. */
    static DataStream<String> q5(DataStream<String> lines) {
        return bids(lines)
                .keyBy(b -> b.f0)
                .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .aggregate(new CountBids(), new AuctionCounts())
                .keyBy(c -> c.f0)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(2)))
                .process(new HotItems());
    }

    /** Q7: the highest bids per auction and tumbling 10 s window, then per window. */
    static DataStream<String> q7(DataStream<String> lines) {
        return bids(lines)
                .keyBy(b -> b.f0)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(new HighestBids(2, 0, 1), new TopBidsPerAuction())
                .keyBy(t -> t.f0)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(new HighestBids(3, 1, 2), new TopBidLines());
    }

    /** Q8: a window co-group of persons by id with auctions by seller, tumbling 10 s. */
    static DataStream<String> q8(DataStream<String> lines) {
        DataStream<Tuple3<Long, String, Long>> persons = lines.flatMap(new ParsePersons())
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Tuple3<Long, String, Long>>forBoundedOutOfOrderness(BOUND)
                                .withTimestampAssigner((p, ts) -> p.f2));
        DataStream<Tuple2<Long, Long>> auctions = lines.flatMap(new ParseAuctions())
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple2<Long, Long>>forBoundedOutOfOrderness(BOUND)
                        .withTimestampAssigner((a, ts) -> a.f1));
        return persons.coGroup(auctions)
                .where(p -> p.f0)
                .equalTo(a -> a.f0)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .apply(new NewUsers());
    }

    /** B,time,auction,bidder,price,extra to (auction, bidder, price, time). */
    static final class ParseBids implements FlatMapFunction<String, Tuple4<Long, Long, Long, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(String line, Collector<Tuple4<Long, Long, Long, Long>> out) {
            if (line.charAt(0) != 'B') return;
            Fields f = new Fields(line);
            long time = f.nextLong();
            long auction = f.nextLong();
            long bidder = f.nextLong();
            long price = f.nextLong();
            out.collect(Tuple4.of(auction, bidder, price, time));
        }
    }

    /** P,time,id,name,... to (id, name, time). */
    static final class ParsePersons implements FlatMapFunction<String, Tuple3<Long, String, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(String line, Collector<Tuple3<Long, String, Long>> out) {
            if (line.charAt(0) != 'P') return;
            Fields f = new Fields(line);
            long time = f.nextLong();
            long id = f.nextLong();
            out.collect(Tuple3.of(id, f.next(), time));
        }
    }

    /** A,time,id,itemName,description,initialBid,reserve,expires,seller,... to (seller, time). */
    static final class ParseAuctions implements FlatMapFunction<String, Tuple2<Long, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(String line, Collector<Tuple2<Long, Long>> out) {
            if (line.charAt(0) != 'A') return;
            Fields f = new Fields(line);
            long time = f.nextLong();
            for (int i = 0; i < 6; i++) f.next();
            out.collect(Tuple2.of(f.nextLong(), time));
        }
    }

    static final class CountBids implements AggregateFunction<Tuple4<Long, Long, Long, Long>, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Tuple4<Long, Long, Long, Long> value, Long accumulator) {
            return accumulator + 1;
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** (window end, auction, count). */
    static final class AuctionCounts extends ProcessWindowFunction<Long, Tuple3<Long, Long, Long>, Long, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Long auction, Context context, Iterable<Long> counts, Collector<Tuple3<Long, Long, Long>> out) {
            out.collect(Tuple3.of(
                    context.window().getEnd(), auction, counts.iterator().next()));
        }
    }

    /** Per window end, every auction with the highest count. */
    static final class HotItems extends ProcessWindowFunction<Tuple3<Long, Long, Long>, String, Long, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Long windowEnd, Context context, Iterable<Tuple3<Long, Long, Long>> counts, Collector<String> out) {
            long best = 0;
            for (Tuple3<Long, Long, Long> c : counts) best = Math.max(best, c.f2);
            for (Tuple3<Long, Long, Long> c : counts) {
                if (c.f2 == best) out.collect(windowEnd + "\t" + c.f1 + "\t" + best);
            }
        }
    }

    /** The highest price seen and the (auction, bidder) pairs that bid it, flattened. */
    public static final class Top {
        public long price = Long.MIN_VALUE;
        public List<Long> pairs = new ArrayList<>();

        void offer(long p, long auction, long bidder) {
            if (p > price) {
                price = p;
                pairs.clear();
            }
            if (p == price) {
                pairs.add(auction);
                pairs.add(bidder);
            }
        }
    }

    /** Keeps the highest-priced tuples; the fields of price, auction and bidder are given. */
    static final class HighestBids implements AggregateFunction<Tuple4<Long, Long, Long, Long>, Top, Top> {
        private static final long serialVersionUID = 1L;
        private final int price;
        private final int auction;
        private final int bidder;

        HighestBids(int price, int auction, int bidder) {
            this.price = price;
            this.auction = auction;
            this.bidder = bidder;
        }

        @Override
        public Top createAccumulator() {
            return new Top();
        }

        @Override
        public Top add(Tuple4<Long, Long, Long, Long> value, Top top) {
            top.offer(value.<Long>getField(price), value.<Long>getField(auction), value.<Long>getField(bidder));
            return top;
        }

        @Override
        public Top getResult(Top top) {
            return top;
        }

        @Override
        public Top merge(Top a, Top b) {
            for (int i = 0; i < b.pairs.size(); i += 2) a.offer(b.price, b.pairs.get(i), b.pairs.get(i + 1));
            return a;
        }
    }

    /** (window end, auction, bidder, price) per highest bid of an auction in a window. */
    static final class TopBidsPerAuction
            extends ProcessWindowFunction<Top, Tuple4<Long, Long, Long, Long>, Long, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Long auction, Context context, Iterable<Top> tops, Collector<Tuple4<Long, Long, Long, Long>> out) {
            Top top = tops.iterator().next();
            for (int i = 0; i < top.pairs.size(); i += 2) {
                out.collect(Tuple4.of(context.window().getEnd(), top.pairs.get(i), top.pairs.get(i + 1), top.price));
            }
        }
    }

    /** window_end auction bidder price, per highest bid of a window. */
    static final class TopBidLines extends ProcessWindowFunction<Top, String, Long, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(Long windowEnd, Context context, Iterable<Top> tops, Collector<String> out) {
            Top top = tops.iterator().next();
            for (int i = 0; i < top.pairs.size(); i += 2) {
                out.collect(windowEnd + "\t" + top.pairs.get(i) + "\t" + top.pairs.get(i + 1) + "\t" + top.price);
            }
        }
    }

    /** window_end person_id person_name, for persons with an auction in the window. */
    static final class NewUsers implements CoGroupFunction<Tuple3<Long, String, Long>, Tuple2<Long, Long>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void coGroup(
                Iterable<Tuple3<Long, String, Long>> persons,
                Iterable<Tuple2<Long, Long>> auctions,
                Collector<String> out) {
            if (!auctions.iterator().hasNext()) return;
            for (Tuple3<Long, String, Long> p : persons) {
                long end = Math.floorDiv(p.f2, 10_000L) * 10_000L + 10_000L;
                out.collect(end + "\t" + p.f0 + "\t" + p.f1);
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
