package dev.cairn.dataflow.nexmark;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.OutputTag;
import dev.cairn.dataflow.Stream;
import dev.cairn.dataflow.WatermarkStrategy;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.functions.ProcessFunction;
import dev.cairn.dataflow.window.WindowAssigner;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Nexmark Q5, Q7 and Q8 over NexmarkGen's event file or the same lines generated in the source
 * ({@link dev.cairn.dataflow.Dataflow#nexmark}), with a 5 s bounded-out-of-orderness
 * watermark and windows aligned to epoch 0. Each returns lines formatted as NexmarkGen's answer
 * files (tab-separated, window end first); sorted bytewise they equal the answers.
 */
public final class NexmarkQueries {
    public static final WatermarkStrategy WATERMARKS = WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5));

    /**
     * The side output of {@link #wellFormed}: per malformed line, the reason (which field, and
     * why; tabs in it written as {@code \t}), a tab, and the line as it was read.
     */
    public static final OutputTag<String> MALFORMED = new OutputTag<>("nexmark-malformed", Codecs.STRING);

    private NexmarkQueries() {}

    /**
     * The lines that parse as Nexmark events, in order; each other line goes, with the reason, to
     * side output {@link #MALFORMED} of the returned stream instead of failing the job. Put it
     * before a query to let the job survive bad input; it parses every line once more.
     */
    public static Stream<String> wellFormed(Stream<String> lines) {
        return lines.process(NexmarkQueries::checkLine, Codecs.STRING).name("Check lines");
    }

    private static void checkLine(String line, ProcessFunction.Context context, Collector<String> out) {
        try {
            NexmarkParser.parse(line);
        } catch (MalformedEventException e) {
            context.output(MALFORMED, e.reason().replace("\t", "\\t") + "\t" + line);
            return;
        }
        out.collect(line);
    }

    /** Bid counts per auction in windows of a window's end, the auction and the count. */
    public record AuctionCount(long windowEnd, long auction, long count) {}

    /** A bid with the highest price of its auction in a window. */
    public record TopBid(long windowEnd, long auction, long bidder, long price) {}

    static Stream<NexmarkEvent.Bid> bids(Stream<String> lines) {
        return lines.flatMap(NexmarkParser::bids, Codecs.record(NexmarkEvent.Bid.class))
                .assignTimestamps(NexmarkEvent.Bid::dateTime, WATERMARKS);
    }

    /**
     * Q5, hot items: per sliding window of 10 s every 2 s, the auctions with the most bids. Counts
     * per auction and window first (keyed by auction), then the leaders per window (keyed by the
     * window's end).
     */
    public static Stream<String> q5(Dataflow flow, Path events) {
        return q5(flow.readTextFile(events));
    }

    /** Q5 over the lines of an event file or of generated events. */
    public static Stream<String> q5(Stream<String> lines) {
        AggregateFunction<NexmarkEvent.Bid, Long, Long> count = new AggregateFunction<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public Long createAccumulator() {
                return 0L;
            }

            @Override
            public Long add(NexmarkEvent.Bid value, Long accumulator) {
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
        };
        return bids(lines)
                .keyBy(NexmarkEvent.Bid::auction, Codecs.LONG)
                .window(WindowAssigner.sliding(Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .aggregate(
                        count,
                        (auction, context, counts, out) -> out.collect(new AuctionCount(
                                context.window().end(),
                                auction,
                                counts.iterator().next())),
                        Codecs.LONG,
                        Codecs.record(AuctionCount.class))
                .keyBy(AuctionCount::windowEnd, Codecs.LONG)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(2)))
                .aggregate(
                        Leaders.aggregate(1, (Leaders l, AuctionCount c) -> l.offer(c.count(), c.auction(), 0)),
                        (windowEnd, context, results, out) -> {
                            Leaders l = results.iterator().next();
                            for (int i = 0; i < l.size(); i++)
                                out.collect(windowEnd + "\t" + l.entry(i, 0) + "\t" + l.best());
                        },
                        Leaders.CODEC,
                        Codecs.STRING)
                .name("Q5");
    }

    /**
     * Q7, highest bid: per tumbling 10 s window, every bid with the window's highest price. The
     * highest bids per auction first, then per window.
     */
    public static Stream<String> q7(Dataflow flow, Path events) {
        return q7(flow.readTextFile(events));
    }

    /** Q7 over the lines of an event file or of generated events. */
    public static Stream<String> q7(Stream<String> lines) {
        return q7Bids(bids(lines));
    }

    /** Q7 over the given bids, which carry their timestamps and watermarks. */
    public static Stream<String> q7Bids(Stream<NexmarkEvent.Bid> bids) {
        return bids.keyBy(NexmarkEvent.Bid::auction, Codecs.LONG)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .aggregate(
                        Leaders.aggregate(
                                2, (Leaders l, NexmarkEvent.Bid b) -> l.offer(b.price(), b.auction(), b.bidder())),
                        (auction, context, results, out) -> {
                            Leaders l = results.iterator().next();
                            for (int i = 0; i < l.size(); i++) {
                                out.collect(new TopBid(context.window().end(), l.entry(i, 0), l.entry(i, 1), l.best()));
                            }
                        },
                        Leaders.CODEC,
                        Codecs.record(TopBid.class))
                .keyBy(TopBid::windowEnd, Codecs.LONG)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .aggregate(
                        Leaders.aggregate(2, (Leaders l, TopBid b) -> l.offer(b.price(), b.auction(), b.bidder())),
                        (windowEnd, context, results, out) -> {
                            Leaders l = results.iterator().next();
                            for (int i = 0; i < l.size(); i++) {
                                out.collect(windowEnd + "\t" + l.entry(i, 0) + "\t" + l.entry(i, 1) + "\t" + l.best());
                            }
                        },
                        Leaders.CODEC,
                        Codecs.STRING)
                .name("Q7");
    }

    /**
     * Q8, monitor new users: persons who registered and opened an auction (as its seller) in the
     * same tumbling 10 s window: a window co-group of persons by id with auctions by seller.
     */
    public static Stream<String> q8(Dataflow flow, Path events) {
        return q8(flow.readTextFile(events));
    }

    /** Q8 over the lines of an event file or of generated events. */
    public static Stream<String> q8(Stream<String> lines) {
        Stream<NexmarkEvent.Person> persons = lines.flatMap(
                        NexmarkParser::persons, Codecs.record(NexmarkEvent.Person.class))
                .assignTimestamps(NexmarkEvent.Person::dateTime, WATERMARKS);
        Stream<NexmarkEvent.Auction> auctions = lines.flatMap(
                        NexmarkParser::auctions, Codecs.record(NexmarkEvent.Auction.class))
                .assignTimestamps(NexmarkEvent.Auction::dateTime, WATERMARKS);
        return persons.keyBy(NexmarkEvent.Person::id, Codecs.LONG)
                .join(auctions.keyBy(NexmarkEvent.Auction::seller, Codecs.LONG))
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .coGroup(
                        (id, window, ps, as, out) -> {
                            if (!as.iterator().hasNext()) return;
                            for (NexmarkEvent.Person p : ps)
                                out.collect(window.end() + "\t" + p.id() + "\t" + p.name());
                        },
                        Codecs.STRING)
                .name("Q8");
    }
}
