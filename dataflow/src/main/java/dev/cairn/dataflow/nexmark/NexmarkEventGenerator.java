package dev.cairn.dataflow.nexmark;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Nexmark events as the CSV lines of {@code shared/bench/NexmarkGen.java}, byte for byte for the
 * same settings, so that NexmarkGen's exact answers hold for them (its header describes the
 * events, their times and the line format). Lines come without their '\n', as
 * {@link dev.cairn.dataflow.Dataflow#readTextFile} returns them.
 *
 * <p>Design: every event has its own SplitMix64 stream, seeded from the seed and the event number,
 * and the strings are slices of two seeded pools of letters (4 MiB each). So any event can be
 * made alone, in any order, by any number of generators: subtask i of p makes events i, i + p,
 * ..., and a restored source resumes at an event number. Making an event allocates only its
 * {@code String}: the line is written into a reused byte buffer. The pools depend on the seed
 * only and are immutable; generators of the same seed in one JVM share them.
 *
 * <p>Not thread-safe: one generator per thread.
 */
public final class NexmarkEventGenerator {
    /**
     * What to generate; NexmarkGen's options of the same names.
     *
     * @param events how many events (event numbers 0 to events - 1)
     * @param seed the seed
     * @param delayMicros event time advances this much per event (NexmarkGen's --delay-us, default 10)
     * @param baseMillis event 0's nominal time (--base-ms, default 1704067201234)
     * @param disorderFraction the fraction of events moved earlier (--disorder-fraction, default 0.1)
     * @param maxDisorderMillis by 1 to this many ms (--max-disorder-ms, default 2000, at most 5000)
     */
    public record Settings(
            long events, long seed, long delayMicros, long baseMillis, double disorderFraction, int maxDisorderMillis)
            implements Serializable {
        public Settings {
            if (events < 0) throw new IllegalArgumentException("events must be >= 0: " + events);
            if (delayMicros < 1) throw new IllegalArgumentException("delay must be >= 1 µs: " + delayMicros);
            if (maxDisorderMillis < 1 || maxDisorderMillis > MAX_DISORDER_BOUND_MS) {
                throw new IllegalArgumentException(
                        "max disorder must be in 1.." + MAX_DISORDER_BOUND_MS + " ms: " + maxDisorderMillis);
            }
            if (!(disorderFraction >= 0 && disorderFraction <= 1)) {
                throw new IllegalArgumentException("disorder fraction must be in [0, 1]: " + disorderFraction);
            }
        }

        /** {@code events} events of {@code seed} with NexmarkGen's defaults for the rest. */
        public static Settings of(long events, long seed) {
            return new Settings(events, seed, 10, 1_704_067_201_234L, 0.1, 2_000);
        }

        public Settings withDelayMicros(long delayMicros) {
            return new Settings(events, seed, delayMicros, baseMillis, disorderFraction, maxDisorderMillis);
        }

        public Settings withBaseMillis(long baseMillis) {
            return new Settings(events, seed, delayMicros, baseMillis, disorderFraction, maxDisorderMillis);
        }

        public Settings withDisorder(double disorderFraction, int maxDisorderMillis) {
            return new Settings(events, seed, delayMicros, baseMillis, disorderFraction, maxDisorderMillis);
        }
    }

    /** NexmarkGen's bound on disorder: the queries' watermark lags 5 s behind the largest timestamp. */
    public static final int MAX_DISORDER_BOUND_MS = 5_000;

    // Beam's GeneratorConfig and NexmarkConfiguration defaults, as NexmarkGen uses them.
    private static final int PERSONS = 1, AUCTIONS = 3, BLOCK = 50; // 1 person, 3 auctions, 46 bids per 50 events
    private static final long FIRST_PERSON_ID = 1000, FIRST_AUCTION_ID = 1000, FIRST_CATEGORY_ID = 10;
    private static final int CATEGORIES = 5, ACTIVE_PERSONS = 1000, PERSON_ID_LEAD = 10;
    private static final int IN_FLIGHT_AUCTIONS = 100, AUCTION_ID_LEAD = 10, HOT_BLOCK = 100;
    private static final long EVENTS_PER_AUCTION_HORIZON = (long) IN_FLIGHT_AUCTIONS * BLOCK / AUCTIONS;
    private static final int PERSON_BYTES = 200, AUCTION_BYTES = 500, BID_BYTES = 100, MIN_STRING = 3;
    private static final byte[][] FIRST_NAMES = ascii("Peter,Paul,Luke,John,Saul,Vicky,Kate,Julie,Sarah,Deiter,Walter");
    private static final byte[][] LAST_NAMES = ascii("Shultz,Abrams,Spencer,White,Bartels,Walton,Smith,Jones,Noris");
    private static final byte[][] CITIES =
            ascii("Phoenix,Los Angeles,San Francisco,Boise,Portland,Bend,Redmond,Seattle,Kent,Cheyenne");
    private static final byte[][] STATES = ascii("AZ,CA,ID,OR,WA,WY");
    private static final byte[] DOT_COM = ascii(".com")[0];
    private static final byte[] LONG_MIN_DIGITS = ascii("9223372036854775808")[0];
    private static final byte[] DIGIT_PAIRS = new byte[200]; // "00" to "99"

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private static final long SEED_SALT = 0x5DEECE66DL, EVENT_STRIDE = 0xD1B54A32D192ED03L;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final int POOL_BYTES = 1 << 22;
    /** The longest line: fixed fields, names and strings, and Beam's largest auction padding. */
    private static final int MAX_LINE = 1024;

    /** The seed's letter pools: with 1/13 spaces (names, descriptions) and letters only (padding). */
    private static final class Pools {
        final long seedMix;
        final byte[] spaced, letters;

        Pools(long seedMix, byte[] spaced, byte[] letters) {
            this.seedMix = seedMix;
            this.spaced = spaced;
            this.letters = letters;
        }
    }

    private static final AtomicReference<Pools> LAST_POOLS = new AtomicReference<>();

    private final Settings settings;
    private final long seedMix, baseMicros, disorderThreshold;
    private final byte[] spaced, letters;
    private final byte[] line = new byte[MAX_LINE];
    private int length;
    private long state; // the current event's SplitMix64 state

    public NexmarkEventGenerator(Settings settings) {
        this.settings = settings;
        this.seedMix = mix(settings.seed() ^ SEED_SALT);
        this.baseMicros = settings.baseMillis() * 1000;
        this.disorderThreshold = (long) (settings.disorderFraction() * (1L << 53));
        Pools pools = pools(seedMix);
        this.spaced = pools.spaced;
        this.letters = pools.letters;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Event {@code number}'s line, without '\n': NexmarkGen's line {@code number} (0-based). Any
     * number >= 0; the settings' event count bounds only a source.
     */
    public String event(long number) {
        write(number);
        return new String(line, 0, length, StandardCharsets.ISO_8859_1);
    }

    private long timestampOf(long number) {
        long ts = Math.floorDiv(baseMicros + number * settings.delayMicros(), 1000);
        if ((nextLong() >>> 11) < disorderThreshold) ts -= 1 + nextInt(settings.maxDisorderMillis());
        return ts;
    }

    private void write(long number) {
        state = mix(seedMix + number * EVENT_STRIDE);
        length = 0;
        long ts = timestampOf(number);
        long kind = number % BLOCK;
        if (kind < PERSONS) {
            person(number, ts);
        } else if (kind < PERSONS + AUCTIONS) {
            auction(number, ts);
        } else {
            bid(number, ts);
        }
    }

    private void person(long number, long ts) {
        long id = lastPerson(number) + FIRST_PERSON_ID;
        byte[] first = FIRST_NAMES[nextInt(FIRST_NAMES.length)], last = LAST_NAMES[nextInt(LAST_NAMES.length)];
        head('P', ts, id);
        put(first);
        put(' ');
        put(last);
        put(',');
        int size = 8 + first.length + 1 + last.length;
        int mark = length;
        putString(7);
        put('@');
        putString(5);
        put(DOT_COM);
        size += length - mark;
        put(',');
        for (int group = 0; group < 4; group++) { // a credit card number: 19 characters
            if (group > 0) put(' ');
            int d = nextInt(10_000);
            put('0' + d / 1000);
            put('0' + d / 100 % 10);
            put('0' + d / 10 % 10);
            put('0' + d % 10);
        }
        put(',');
        size += 19;
        byte[] city = CITIES[nextInt(CITIES.length)], st = STATES[nextInt(STATES.length)];
        put(city);
        put(',');
        put(st);
        put(',');
        size += city.length + st.length;
        putPadding(size, PERSON_BYTES);
    }

    private void auction(long number, long ts) {
        long horizonMs =
                Math.floorDiv(baseMicros + (number + EVENTS_PER_AUCTION_HORIZON) * settings.delayMicros(), 1000) - ts;
        long id = lastAuction(number) + FIRST_AUCTION_ID;
        long seller = nextInt(4) > 0 ? lastPerson(number) / HOT_BLOCK * HOT_BLOCK : randomPerson(number);
        seller += FIRST_PERSON_ID;
        long category = FIRST_CATEGORY_ID + nextInt(CATEGORIES);
        long initialBid = nextPrice();
        long expires = ts + 1 + nextInt((int) Math.max(horizonMs * 2, 1));
        head('A', ts, id);
        int mark = length;
        putString(20);
        put(',');
        putString(100);
        put(',');
        int size = 8 + (length - mark - 2) + 5 * 8;
        long reserve = initialBid + nextPrice();
        putLong(initialBid);
        put(',');
        putLong(reserve);
        put(',');
        putLong(expires);
        put(',');
        putLong(seller);
        put(',');
        putLong(category);
        put(',');
        putPadding(size, AUCTION_BYTES);
    }

    private void bid(long number, long ts) {
        long auction = nextInt(2) > 0 ? lastAuction(number) / HOT_BLOCK * HOT_BLOCK : randomAuction(number);
        auction += FIRST_AUCTION_ID;
        long bidder = nextInt(4) > 0 ? lastPerson(number) / HOT_BLOCK * HOT_BLOCK + 1 : randomPerson(number);
        bidder += FIRST_PERSON_ID;
        long price = nextPrice();
        head('B', ts, auction);
        putLong(bidder);
        put(',');
        putLong(price);
        put(',');
        putPadding(4 * 8, BID_BYTES);
    }

    /** {@code kind,ts,first,} */
    private void head(char kind, long ts, long first) {
        put(kind);
        put(',');
        putLong(ts);
        put(',');
        putLong(first);
        put(',');
    }

    // ------------------------------------------------------------ Beam's ids (0-based)

    /** The newest person as of event {@code number}. */
    private static long lastPerson(long number) {
        long offset = number % BLOCK;
        return number / BLOCK * PERSONS + Math.min(offset, PERSONS - 1);
    }

    /** The newest auction as of event {@code number}. */
    private static long lastAuction(long number) {
        long block = number / BLOCK, offset = number % BLOCK;
        if (offset < PERSONS) return (block - 1) * AUCTIONS + AUCTIONS - 1;
        return block * AUCTIONS + Math.min(offset - PERSONS, AUCTIONS - 1);
    }

    /** One of the recently active persons, or one of the next few not created yet. */
    private long randomPerson(long number) {
        long persons = lastPerson(number) + 1;
        long active = Math.min(persons, ACTIVE_PERSONS);
        return persons - active + nextInt((int) (active + PERSON_ID_LEAD));
    }

    /** One of the auctions in flight, or one of the next few not created yet. */
    private long randomAuction(long number) {
        long newest = lastAuction(number);
        long oldest = Math.max(newest - IN_FLIGHT_AUCTIONS, 0);
        return oldest + nextInt((int) (newest - oldest + 1 + AUCTION_ID_LEAD));
    }

    private long nextPrice() {
        return Math.round(Math.pow(10.0, nextDouble() * 6.0) * 100.0);
    }

    // ------------------------------------------------------------ strings

    /** Beam's nextString: 3 to maxLength - 1 characters with spaces, trimmed. */
    private void putString(int maxLength) {
        int n = MIN_STRING + nextInt(maxLength - MIN_STRING);
        int from = nextInt(POOL_BYTES - n), to = from + n;
        while (from < to && spaced[from] == ' ') from++;
        while (to > from && spaced[to - 1] == ' ') to--;
        System.arraycopy(spaced, from, line, length, to - from);
        length += to - from;
    }

    /** Beam's nextExtra: letters so that the event's estimated size averages {@code average} (±20%). */
    private void putPadding(int size, int average) {
        if (size > average) return;
        int wanted = average - size;
        int delta = (int) Math.round(wanted * 0.2);
        int n = wanted - delta + (delta == 0 ? 0 : nextInt(2 * delta));
        System.arraycopy(letters, nextInt(POOL_BYTES - n), line, length, n);
        length += n;
    }

    private void put(int c) {
        line[length++] = (byte) c;
    }

    private void put(byte[] bytes) {
        System.arraycopy(bytes, 0, line, length, bytes.length);
        length += bytes.length;
    }

    private void putLong(long v) {
        if (v < 0) {
            put('-');
            if (v == Long.MIN_VALUE) {
                put(LONG_MIN_DIGITS);
                return;
            }
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) digits++;
        int i = length + digits;
        length = i;
        while (v >= 100) { // two digits per division
            int pair = (int) (v % 100);
            v /= 100;
            line[--i] = DIGIT_PAIRS[2 * pair + 1];
            line[--i] = DIGIT_PAIRS[2 * pair];
        }
        if (v >= 10) {
            line[--i] = DIGIT_PAIRS[2 * (int) v + 1];
            line[--i] = DIGIT_PAIRS[2 * (int) v];
        } else {
            line[--i] = (byte) ('0' + v);
        }
    }

    private static byte[][] ascii(String commaSeparated) {
        String[] words = commaSeparated.split(",", -1);
        byte[][] bytes = new byte[words.length][];
        for (int i = 0; i < words.length; i++) bytes[i] = words[i].getBytes(StandardCharsets.US_ASCII);
        return bytes;
    }

    // ------------------------------------------------------------ randomness: SplitMix64

    private static Pools pools(long seedMix) {
        Pools last = LAST_POOLS.get();
        if (last != null && last.seedMix == seedMix) return last;
        byte[] spaced = new byte[POOL_BYTES], letters = new byte[POOL_BYTES];
        long s = mix(seedMix + 1);
        for (int i = 0; i < POOL_BYTES; i++) {
            s += GOLDEN_GAMMA;
            if (bounded(mix(s), 13) == 0) {
                spaced[i] = ' ';
            } else {
                s += GOLDEN_GAMMA;
                spaced[i] = (byte) ('a' + bounded(mix(s), 26));
            }
            s += GOLDEN_GAMMA;
            letters[i] = (byte) ('a' + bounded(mix(s), 26));
        }
        Pools pools = new Pools(seedMix, spaced, letters);
        LAST_POOLS.set(pools);
        return pools;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform int in [0, bound) from the high 32 bits of {@code random}, by multiplication. */
    private static int bounded(long random, int bound) {
        return (int) (((random >>> 32) * bound) >>> 32);
    }

    private long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    private int nextInt(int bound) {
        return bounded(nextLong(), bound);
    }

    private double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
