package dev.cairn.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The codec contract, as properties over every codec: round trip, order preservation (unsigned
 * byte order of the encodings equals the values' natural order), self-delimitation
 * (concatenations decode back), ids that resolve back, and truncation detected.
 */
class CodecPropertiesTest {
    public record Point(int x, long y) {}

    public record Boxes(Integer i, Long l, Double d, Boolean z) {}

    public record Everything(String s, int i, long l, double d, byte[] b, boolean z, Boxes boxes, Point p) {}

    /** A codec, values to try it on, and the natural order its encoding must preserve. */
    record Kind<T>(Codec<T> codec, Arbitrary<T> values, Comparator<T> order) {
        Sample<T> sample(T value) {
            return new Sample<>(this, value);
        }
    }

    record Sample<T>(Kind<T> kind, T value) {
        byte[] encoded() {
            return encode(kind.codec(), value);
        }

        void encodeTo(BytesOut out) {
            kind.codec().encode(value, out);
        }

        void assertDecodesFrom(BytesIn in) {
            assertThat(kind.order().compare(kind.codec().decode(in), value))
                    .as("decoded %s", kind.codec())
                    .isZero();
        }

        @Override
        public String toString() {
            return kind.codec() + ":" + (value instanceof byte[] b ? Arrays.toString(b) : String.valueOf(value));
        }
    }

    record Pair<T>(Kind<T> kind, T a, T b) {}

    static final Comparator<String> CODE_POINTS =
            (a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;
    static final Comparator<Point> POINTS = Comparator.comparingInt(Point::x).thenComparingLong(Point::y);
    static final Comparator<Boxes> BOXES = Comparator.comparing(Boxes::i)
            .thenComparing(Boxes::l)
            .thenComparing(Boxes::d)
            .thenComparing(Boxes::z);
    static final Comparator<Everything> EVERYTHING = Comparator.comparing(Everything::s, CODE_POINTS)
            .thenComparingInt(Everything::i)
            .thenComparingLong(Everything::l)
            .thenComparing(Everything::d, Double::compare)
            .thenComparing(Everything::b, UNSIGNED)
            .thenComparing(Everything::z)
            .thenComparing(Everything::boxes, BOXES)
            .thenComparing(Everything::p, POINTS);

    static List<Kind<?>> kinds() {
        return List.of(
                new Kind<>(Codecs.STRING, strings(), CODE_POINTS),
                new Kind<>(
                        Codecs.INT,
                        Arbitraries.oneOf(
                                Arbitraries.integers(), Arbitraries.integers().between(-3, 3)),
                        Integer::compare),
                new Kind<>(
                        Codecs.LONG,
                        Arbitraries.oneOf(
                                Arbitraries.longs(), Arbitraries.longs().between(-3, 3)),
                        Long::compare),
                new Kind<>(Codecs.DOUBLE, doubles(), Double::compare),
                new Kind<>(Codecs.BYTES, byteArrays(), UNSIGNED),
                new Kind<>(Codecs.BOOLEAN, Arbitraries.of(true, false), Boolean::compare),
                new Kind<>(Codecs.record(Point.class), points(), POINTS),
                new Kind<>(Codecs.record(Everything.class), everything(), EVERYTHING));
    }

    static Arbitrary<String> strings() {
        Arbitrary<String> ascii =
                Arbitraries.strings().withCharRange((char) 0, (char) 0x7F).ofMaxLength(12);
        Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(8);
        Arbitrary<String> codePoints = Arbitraries.integers()
                .between(0, Character.MAX_CODE_POINT)
                .list()
                .ofMaxSize(6)
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
        Arbitrary<String> tricky = Arbitraries.of(
                "",
                "\0",
                "\0\0",
                "a\0",
                "a",
                "a\0b",
                "a\u0001",
                "ab",
                "\u007F",
                "\u0080",
                "é",
                "e\u0301",
                "\u07FF",
                "\u0800",
                "\uFFFF",
                "\uD83D\uDE00",
                "\uD800",
                "\uDBFF",
                "\uDC00",
                "\uDFFF",
                "\uD800\uDC00",
                "\uE000",
                "\uDBFF\uDFFF",
                "\uD83D",
                "x\uDE00y");
        Arbitrary<String> prefixes = Arbitraries.of("ka", "kat", "kat\0", "kat\u0001", "kaz", "k\u00e4");
        return Arbitraries.oneOf(ascii, anyChars, codePoints, tricky, prefixes);
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.doubles().between(-2, 2),
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.of(
                        0.0,
                        -0.0,
                        Double.NaN,
                        Double.longBitsToDouble(0xFFF8_0000_0000_0001L),
                        Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE,
                        -Double.MIN_VALUE,
                        Double.MAX_VALUE,
                        -Double.MAX_VALUE,
                        1.0,
                        -1.0));
    }

    static Arbitrary<byte[]> byteArrays() {
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(10);
        Arbitrary<byte[]> edgy = Arbitraries.of((byte) 0, (byte) 1, (byte) 0xFF, (byte) 0x7F, (byte) 0x80)
                .array(byte[].class)
                .ofMaxSize(4);
        return Arbitraries.oneOf(any, edgy);
    }

    static Arbitrary<Point> points() {
        return Combinators.combine(
                        Arbitraries.integers().between(-2, 2),
                        Arbitraries.longs().between(-2, 2))
                .as(Point::new);
    }

    static Arbitrary<Everything> everything() {
        // Few distinct values per component, so that equal prefixes (ties) are common and later components decide.
        Arbitrary<Boxes> boxes = Combinators.combine(
                        Arbitraries.integers().between(-1, 1),
                        Arbitraries.longs().between(-1, 1),
                        Arbitraries.of(-0.0, 0.0, Double.NaN),
                        Arbitraries.of(true, false))
                .as(Boxes::new);
        return Combinators.combine(
                        Arbitraries.of("", "a", "a\0", "ab", "é", "\uD83D\uDE00"),
                        Arbitraries.of(Integer.MIN_VALUE, 0, Integer.MAX_VALUE),
                        Arbitraries.longs().between(-1, 1),
                        Arbitraries.of(-1.5, -0.0, 0.0, 2.0),
                        Arbitraries.of((byte) 0, (byte) 0xFF)
                                .array(byte[].class)
                                .ofMaxSize(2),
                        Arbitraries.of(true, false),
                        boxes,
                        points())
                .as(Everything::new);
    }

    @Provide
    Arbitrary<Pair<?>> pairs() {
        return Arbitraries.of(kinds()).flatMap(CodecPropertiesTest::pairsOf);
    }

    private static <T> Arbitrary<Pair<?>> pairsOf(Kind<T> k) {
        return Combinators.combine(k.values(), k.values()).as((a, b) -> new Pair<>(k, a, b));
    }

    @Provide
    Arbitrary<Sample<?>> samples() {
        return Arbitraries.of(kinds()).flatMap(CodecPropertiesTest::samplesOf);
    }

    private static <T> Arbitrary<Sample<?>> samplesOf(Kind<T> k) {
        return k.values().map(k::sample);
    }

    static <T> byte[] encode(Codec<T> codec, T value) {
        BytesOut out = new BytesOut(1);
        codec.encode(value, out);
        return out.toByteArray();
    }

    @Property(tries = 5000)
    void roundTripsAndKeepsOrder(@ForAll("pairs") Pair<?> p) {
        checkRoundTripAndOrder(p);
    }

    private static <T> void checkRoundTripAndOrder(Pair<T> p) {
        Codec<T> codec = p.kind().codec();
        byte[] a = encode(codec, p.a());
        byte[] b = encode(codec, p.b());
        BytesIn in = new BytesIn(a);
        assertThat(p.kind().order().compare(codec.decode(in), p.a()))
                .as("round trip")
                .isZero();
        assertThat(in.remaining()).as("decode consumes exactly the encoding").isZero();
        assertThat(Integer.signum(Arrays.compareUnsigned(a, b)))
                .as("byte order of %s and %s", p.a(), p.b())
                .isEqualTo(Integer.signum(p.kind().order().compare(p.a(), p.b())));
    }

    @Property(tries = 2000)
    void concatenatedEncodingsDecodeInSequence(
            @ForAll @Size(max = 8) List<@net.jqwik.api.From("samples") Sample<?>> samples) {
        BytesOut out = new BytesOut(1);
        for (Sample<?> s : samples) s.encodeTo(out);
        // A non-zero offset and trailing garbage: decoders must respect the slice.
        byte[] framed = new byte[out.size() + 6];
        Arrays.fill(framed, (byte) 0xFF);
        System.arraycopy(out.array(), 0, framed, 3, out.size());
        BytesIn in = new BytesIn(framed, 3, out.size());
        for (Sample<?> s : samples) s.assertDecodesFrom(in);
        assertThat(in.remaining()).isZero();
    }

    @Property(tries = 500)
    void everyStrictPrefixIsReportedTruncated(@ForAll("samples") Sample<?> s) {
        byte[] full = s.encoded();
        for (int len = 0; len < full.length; len++) {
            // The rest of the encoding is still in the array: the decoder must stop at the limit.
            BytesIn in = new BytesIn(full, 0, len);
            assertThatThrownBy(() -> s.kind().codec().decode(in))
                    .as("prefix of %d of %d bytes", len, full.length)
                    .isInstanceOf(CodecException.class)
                    .hasMessageContaining("truncated");
        }
    }

    @Property(tries = 50)
    void idsResolveBackToEqualCodecs(@ForAll("samples") Sample<?> s) {
        Codec<?> codec = s.kind().codec();
        Codec<?> resolved = Codecs.forId(codec.id(), getClass().getClassLoader());
        assertThat(resolved).isEqualTo(codec);
        assertThat(resolved.id()).isEqualTo(codec.id());
    }

    @Property(tries = 3000)
    void stringsSortByCodePoint(@ForAll("stringPairs") List<String> ab) {
        String a = ab.get(0), b = ab.get(1);
        assertThat(Integer.signum(Arrays.compareUnsigned(encode(Codecs.STRING, a), encode(Codecs.STRING, b))))
                .isEqualTo(Integer.signum(CODE_POINTS.compare(a, b)));
        assertThat(Codecs.STRING.decode(new BytesIn(encode(Codecs.STRING, a)))).isEqualTo(a);
    }

    @Provide
    Arbitrary<List<String>> stringPairs() {
        return strings().list().ofSize(2);
    }

    @Property
    void asciiStringsAreTheirBytesAndTheTerminator(@ForAll("ascii") String s) {
        byte[] expected = Arrays.copyOf(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII), s.length() + 2);
        expected[s.length() + 1] = 1;
        assertThat(encode(Codecs.STRING, s)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<String> ascii() {
        return Arbitraries.strings().withCharRange((char) 1, (char) 0x7F).ofMaxLength(20);
    }

    @Property
    void stringsMatchUtf8WhereJavaCanEncodeThem(@ForAll("codePointStrings") String s) {
        // Without NUL or unpaired surrogates the content is exactly the standard UTF-8.
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] enc = encode(Codecs.STRING, s);
        assertThat(Arrays.copyOf(enc, enc.length - 2)).isEqualTo(utf8);
    }

    @Provide
    Arbitrary<String> codePointStrings() {
        return Arbitraries.oneOf(
                        Arbitraries.integers().between(1, 0xD7FF),
                        Arbitraries.integers().between(0xE000, Character.MAX_CODE_POINT))
                .list()
                .ofMaxSize(8)
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
    }
}
