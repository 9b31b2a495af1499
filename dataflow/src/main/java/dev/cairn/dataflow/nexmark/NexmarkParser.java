package dev.cairn.dataflow.nexmark;

import dev.cairn.dataflow.functions.Collector;

/**
 * Parses NexmarkGen's CSV lines (no quoting; field 1 the kind, field 2 the event time). The
 * {@code bids}, {@code persons} and {@code auctions} methods are flat-map functions that keep one
 * kind and skip the others after reading one character.
 */
public final class NexmarkParser {
    private NexmarkParser() {}

    public static NexmarkEvent parse(String line) {
        return switch (line.charAt(0)) {
            case 'P' -> person(line);
            case 'A' -> auction(line);
            case 'B' -> bid(line);
            default -> throw new IllegalArgumentException("not a Nexmark event: " + line);
        };
    }

    public static void bids(String line, Collector<NexmarkEvent.Bid> out) {
        if (line.charAt(0) == 'B') out.collect(bid(line));
    }

    public static void persons(String line, Collector<NexmarkEvent.Person> out) {
        if (line.charAt(0) == 'P') out.collect(person(line));
    }

    public static void auctions(String line, Collector<NexmarkEvent.Auction> out) {
        if (line.charAt(0) == 'A') out.collect(auction(line));
    }

    /** B,time,auction,bidder,price,extra */
    static NexmarkEvent.Bid bid(String line) {
        Fields f = new Fields(line);
        f.skip();
        long time = f.nextLong();
        long auction = f.nextLong();
        long bidder = f.nextLong();
        long price = f.nextLong();
        return new NexmarkEvent.Bid(auction, bidder, price, time);
    }

    /** P,time,id,name,email,creditCard,city,state,extra */
    static NexmarkEvent.Person person(String line) {
        Fields f = new Fields(line);
        f.skip();
        long time = f.nextLong();
        long id = f.nextLong();
        return new NexmarkEvent.Person(id, f.next(), f.next(), f.next(), f.next(), f.next(), time);
    }

    /** A,time,id,itemName,description,initialBid,reserve,expires,seller,category,extra */
    static NexmarkEvent.Auction auction(String line) {
        Fields f = new Fields(line);
        f.skip();
        long time = f.nextLong();
        long id = f.nextLong();
        String item = f.next();
        String description = f.next();
        long initialBid = f.nextLong();
        long reserve = f.nextLong();
        long expires = f.nextLong();
        long seller = f.nextLong();
        long category = f.nextLong();
        return new NexmarkEvent.Auction(id, item, description, initialBid, reserve, time, expires, seller, category);
    }

    /** A cursor over comma-separated fields. */
    private static final class Fields {
        private final String line;
        private int pos;

        Fields(String line) {
            this.line = line;
        }

        private int end() {
            int comma = line.indexOf(',', pos);
            return comma < 0 ? line.length() : comma;
        }

        void skip() {
            pos = end() + 1;
        }

        String next() {
            int end = end();
            String s = line.substring(pos, end);
            pos = end + 1;
            return s;
        }

        long nextLong() {
            int end = end();
            long v = 0;
            boolean negative = line.charAt(pos) == '-';
            for (int i = negative ? pos + 1 : pos; i < end; i++) v = v * 10 + (line.charAt(i) - '0');
            pos = end + 1;
            return negative ? -v : v;
        }
    }
}
