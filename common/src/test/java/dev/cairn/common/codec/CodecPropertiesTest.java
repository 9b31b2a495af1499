package dev.cairn.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The codec contract, as properties: round trip, order preservation (unsigned byte order of the
 * encodings equals the values' natural order) and self-delimitation (concatenations decode back).
 */
class CodecPropertiesTest {
    public record Point(int x, long y) {}

    public record Tagged(String tag, Point at, double weight, byte[] payload, boolean flag) {}

    static <T> byte[] encode(Codec<T> codec, T value) {
        BytesOut out = new BytesOut(4);
        codec.encode(value, out);
        return out.toByteArray();
    }

    static <T> T decode(Codec<T> codec, byte[] bytes) {
        BytesIn in = new BytesIn(bytes);
        T v = codec.decode(in);
        assertThat(in.remaining()).as("decode consumes exactly the encoding").isZero();
        return v;
    }

    static int sign(int c) {
        return Integer.signum(c);
    }

    static int unsigned(byte[] a, byte[] b) {
        return sign(Arrays.compareUnsigned(a, b));
    }

    @Property
    void intsRoundTripAndKeepOrder(@ForAll int a, @ForAll int b) {
        assertThat(decode(Codecs.INT, encode(Codecs.INT, a))).isEqualTo(a);
        assertThat(unsigned(encode(Codecs.INT, a), encode(Codecs.INT, b))).isEqualTo(sign(Integer.compare(a, b)));
    }

    @Property
    void longsRoundTripAndKeepOrder(@ForAll long a, @ForAll long b) {
        assertThat(decode(Codecs.LONG, encode(Codecs.LONG, a))).isEqualTo(a);
        assertThat(unsigned(encode(Codecs.LONG, a), encode(Codecs.LONG, b))).isEqualTo(sign(Long.compare(a, b)));
    }

    @Property
    void doublesRoundTripAndKeepOrder(@ForAll("doubles") double a, @ForAll("doubles") double b) {
        double back = decode(Codecs.DOUBLE, encode(Codecs.DOUBLE, a));
        assertThat(Double.compare(back, a)).isZero();
        assertThat(unsigned(encode(Codecs.DOUBLE, a), encode(Codecs.DOUBLE, b))).isEqualTo(sign(Double.compare(a, b)));
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.of(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE));
    }

    @Property
    void booleansRoundTripAndKeepOrder(@ForAll boolean a, @ForAll boolean b) {
        assertThat(decode(Codecs.BOOLEAN, encode(Codecs.BOOLEAN, a))).isEqualTo(a);
        assertThat(unsigned(encode(Codecs.BOOLEAN, a), encode(Codecs.BOOLEAN, b))).isEqualTo(sign(Boolean.compare(a, b)));
    }

    @Property(tries = 2000)
    void stringsRoundTripAndSortByCodePoint(@ForAll("strings") String a, @ForAll("strings") String b) {
        assertThat(decode(Codecs.STRING, encode(Codecs.STRING, a))).isEqualTo(a);
        assertThat(unsigned(encode(Codecs.STRING, a), encode(Codecs.STRING, b))).isEqualTo(sign(compareCodePoints(a, b)));
    }

    @Provide
    Arbitrary<String> strings() {
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange((char) 0, (char) 0x7F).ofMaxLength(12);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(8);
        Arbitrary<String> tricky = Arbitraries.of("", "\0", "a\0", "a", "a\0b", "ab", "\uD83D\uDE00", "\uFFFF", "é", "e\u0301");
        Arbitrary<String> prefixes = Arbitraries.of("ka", "kat", "kat\0", "kaz");
        return Arbitraries.oneOf(ascii, any, tricky, prefixes);
    }

    static int compareCodePoints(String a, String b) {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        return Arrays.compare(x, y);
    }

    @Property
    void bytesRoundTripAndKeepUnsignedOrder(@ForAll @Size(max = 12) byte[] a, @ForAll @Size(max = 12) byte[] b) {
        assertThat(decode(Codecs.BYTES, encode(Codecs.BYTES, a))).isEqualTo(a);
        assertThat(unsigned(encode(Codecs.BYTES, a), encode(Codecs.BYTES, b))).isEqualTo(sign(Arrays.compareUnsigned(a, b)));
    }

    @Property(tries = 1000)
    void recordsRoundTripAndSortComponentByComponent(@ForAll("tagged") Tagged a, @ForAll("tagged") Tagged b) {
        Codec<Tagged> codec = Codecs.record(Tagged.class);
        Tagged back = decode(codec, encode(codec, a));
        assertThat(back.tag()).isEqualTo(a.tag());
        assertThat(back.at()).isEqualTo(a.at());
        assertThat(Double.compare(back.weight(), a.weight())).isZero();
        assertThat(back.payload()).isEqualTo(a.payload());
        assertThat(back.flag()).isEqualTo(a.flag());
        assertThat(unsigned(encode(codec, a), encode(codec, b))).isEqualTo(sign(compare(a, b)));
    }

    static int compare(Tagged a, Tagged b) {
        int c = compareCodePoints(a.tag(), b.tag());
        if (c == 0) c = Integer.compare(a.at().x(), b.at().x());
        if (c == 0) c = Long.compare(a.at().y(), b.at().y());
        if (c == 0) c = Double.compare(a.weight(), b.weight());
        if (c == 0) c = Arrays.compareUnsigned(a.payload(), b.payload());
        if (c == 0) c = Boolean.compare(a.flag(), b.flag());
        return c;
    }

    @Provide
    Arbitrary<Tagged> tagged() {
        Arbitrary<Point> points = Combinators.combine(Arbitraries.integers().between(-2, 2), Arbitraries.longs().between(-2, 2)).as(Point::new);
        return Combinators.combine(Arbitraries.of("", "a", "a\0", "ab", "b"), points, Arbitraries.of(-1.5, -0.0, 0.0, 2.0),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(2), Arbitraries.of(true, false)).as(Tagged::new);
    }

    @Property
    void concatenatedEncodingsDecodeInSequence(@ForAll List<@StringLength(max = 6) @CharRange(from = 0, to = 0x7FF) String> words,
                                               @ForAll long n) {
        BytesOut out = new BytesOut(1);
        for (String w : words) {
            Codecs.STRING.encode(w, out);
            Codecs.LONG.encode(n, out);
        }
        BytesIn in = new BytesIn(out.toByteArray());
        for (String w : words) {
            assertThat(Codecs.STRING.decode(in)).isEqualTo(w);
            assertThat(Codecs.LONG.decode(in)).isEqualTo(n);
        }
        assertThat(in.remaining()).isZero();
    }

    @Property
    void prefixAgreesWithFullComparison(@ForAll @Size(max = 12) byte[] a, @ForAll @Size(max = 12) byte[] b) {
        int p = Long.compareUnsigned(Bytes.prefix(a, 0, a.length), Bytes.prefix(b, 0, b.length));
        if (p != 0) assertThat(sign(p)).isEqualTo(unsigned(a, b));
    }

    @Property
    void idsResolveBackToEquivalentCodecs(@ForAll("codecs") Codec<?> codec) {
        assertThat(Codecs.forId(codec.id(), getClass().getClassLoader()).id()).isEqualTo(codec.id());
    }

    @Provide
    Arbitrary<Codec<?>> codecs() {
        return Arbitraries.of(Codecs.STRING, Codecs.INT, Codecs.LONG, Codecs.DOUBLE, Codecs.BYTES, Codecs.BOOLEAN,
                Codecs.record(Point.class), Codecs.record(Tagged.class));
    }

    @Property
    void truncatedInputIsAClearError(@ForAll("tagged") Tagged t) {
        Codec<Tagged> codec = Codecs.record(Tagged.class);
        byte[] full = encode(codec, t);
        byte[] cut = Arrays.copyOf(full, full.length - 1);
        assertThatThrownBy(() -> codec.decode(new BytesIn(cut))).isInstanceOf(CodecException.class).hasMessageContaining("truncated");
    }

    @net.jqwik.api.Example
    void unknownCodecsAndUnsupportedRecordsAreNamed() {
        assertThatThrownBy(() -> Codecs.forId("float", getClass().getClassLoader())).hasMessageContaining("unknown codec 'float'");
        assertThatThrownBy(() -> Codecs.forId("record:no.Such", getClass().getClassLoader())).hasMessageContaining("no.Such not found");
        assertThatThrownBy(() -> Codecs.record(Unsupported.class)).hasMessageContaining("component 'when'");
    }

    public record Unsupported(java.time.Instant when) {}

    @net.jqwik.api.Example
    void hashIsStableAcrossRuns() {
        // Partitioning must agree between nodes: pin a few values of the hash.
        assertThat(Bytes.hash(new byte[0], 0, 0)).isEqualTo(0);
        assertThat(Bytes.hash("hello".getBytes(), 0, 5)).isEqualTo(0x248bfa47);
    }
}
