package dev.cairn.dataflow.nexmark;

import dev.cairn.dataflow.functions.Collector;

/**
 * Parses NexmarkGen's CSV lines (no quoting; field 1 the kind, field 2 the event time). The
 * {@code bids}, {@code persons} and {@code auctions} methods are flat-map functions that keep one
 * kind and skip the others after reading one character.
 *
 * <p>Malformed input throws {@link MalformedEventException} whose message names the event kind,
 * the bad field (its 1-based position and name) and why, then the line: a line that is empty or
 * of an unknown kind, a missing field, or a number field that is empty, not decimal digits or
 * longer than 18 digits. The flat-map functions check every line's kind, and every field they
 * read of the kind they keep; trailing fields (NexmarkGen's {@code extra}) are not checked.
 */
public final class NexmarkParser {
    private NexmarkParser() {}

    public static NexmarkEvent parse(String line) {
        return switch (kind(line)) {
            case 'P' -> person(line);
            case 'A' -> auction(line);
            default -> bid(line);
        };
    }

    public static void bids(String line, Collector<NexmarkEvent.Bid> out) {
        if (kind(line) == 'B') out.collect(bid(line));
    }

    public static void persons(String line, Collector<NexmarkEvent.Person> out) {
        if (kind(line) == 'P') out.collect(person(line));
    }

    public static void auctions(String line, Collector<NexmarkEvent.Auction> out) {
        if (kind(line) == 'A') out.collect(auction(line));
    }

    /** The line's kind, 'P', 'A' or 'B'. */
    private static char kind(String line) {
        if (line.isEmpty()) throw new MalformedEventException("malformed Nexmark event: empty line", line);
        char kind = line.charAt(0);
        if ((kind != 'P' && kind != 'A' && kind != 'B') || (line.length() > 1 && line.charAt(1) != ',')) {
            throw new MalformedEventException("malformed Nexmark event: field 1 (kind) is not P, A or B", line);
        }
        return kind;
    }

    /** B,time,auction,bidder,price,extra */
    static NexmarkEvent.Bid bid(String line) {
        Fields f = new Fields("bid", line);
        f.skip();
        long time = f.nextLong("dateTime");
        long auction = f.nextLong("auction");
        long bidder = f.nextLong("bidder");
        long price = f.nextLong("price");
        return new NexmarkEvent.Bid(auction, bidder, price, time);
    }

    /** P,time,id,name,email,creditCard,city,state,extra */
    static NexmarkEvent.Person person(String line) {
        Fields f = new Fields("person", line);
        f.skip();
        long time = f.nextLong("dateTime");
        long id = f.nextLong("id");
        return new NexmarkEvent.Person(
                id,
                f.next("name"),
                f.next("emailAddress"),
                f.next("creditCard"),
                f.next("city"),
                f.next("state"),
                time);
    }

    /** A,time,id,itemName,description,initialBid,reserve,expires,seller,category,extra */
    static NexmarkEvent.Auction auction(String line) {
        Fields f = new Fields("auction", line);
        f.skip();
        long time = f.nextLong("dateTime");
        long id = f.nextLong("id");
        String item = f.next("itemName");
        String description = f.next("description");
        long initialBid = f.nextLong("initialBid");
        long reserve = f.nextLong("reserve");
        long expires = f.nextLong("expires");
        long seller = f.nextLong("seller");
        long category = f.nextLong("category");
        return new NexmarkEvent.Auction(id, item, description, initialBid, reserve, time, expires, seller, category);
    }

    /** A cursor over comma-separated fields that says which field of which kind is malformed. */
    private static final class Fields {
        private final String kind;
        private final String line;
        private int pos;
        private int field = 1;

        Fields(String kind, String line) {
            this.kind = kind;
            this.line = line;
        }

        /** The end of the field at {@code pos}; throws if the line has no such field. */
        private int end(String name) {
            if (pos > line.length()) throw malformed(name, "is missing");
            int comma = line.indexOf(',', pos);
            return comma < 0 ? line.length() : comma;
        }

        void skip() {
            pos = end("kind") + 1;
            field++;
        }

        String next(String name) {
            int end = end(name);
            String s = line.substring(pos, end);
            pos = end + 1;
            field++;
            return s;
        }

        long nextLong(String name) {
            int end = end(name);
            boolean negative = pos < end && line.charAt(pos) == '-';
            int digits = negative ? pos + 1 : pos;
            if (digits == end || end - digits > 18)
                throw malformed(name, "is not a number: '" + line.substring(pos, end) + "'");
            long v = 0;
            for (int i = digits; i < end; i++) {
                char c = line.charAt(i);
                if (c < '0' || c > '9') throw malformed(name, "is not a number: '" + line.substring(pos, end) + "'");
                v = v * 10 + (c - '0');
            }
            pos = end + 1;
            field++;
            return negative ? -v : v;
        }

        private MalformedEventException malformed(String name, String why) {
            return new MalformedEventException(
                    "malformed Nexmark " + kind + ": field " + field + " (" + name + ") " + why, line);
        }
    }
}
