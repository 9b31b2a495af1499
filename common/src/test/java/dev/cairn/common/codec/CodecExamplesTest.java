package dev.cairn.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Exact encodings, and every way encoding or decoding is refused. */
class CodecExamplesTest {
    public record Named(String name, int n) {}

    public record Unsupported(Instant when) {}

    public record Outer(String label, Unsupported inner) {}

    public record Chain(String value, Chain next) {}

    public record Ping(Pong pong) {}

    public record Pong(Ping ping) {}

    public record Empty() {}

    public record Positive(int n) {
        public Positive {
            if (n <= 0) throw new IllegalArgumentException("not positive: " + n);
        }
    }

    private record Hidden(long id) {}

    private static <T> String hex(Codec<T> codec, T value) {
        BytesOut out = new BytesOut(1);
        codec.encode(value, out);
        return HexFormat.of().formatHex(out.toByteArray());
    }

    private static <T> T decode(Codec<T> codec, String hex) {
        BytesIn in = new BytesIn(HexFormat.of().parseHex(hex));
        T v = codec.decode(in);
        assertThat(in.remaining()).isZero();
        return v;
    }

    @Test
    void encodingsAreAsDocumented() {
        assertThat(hex(Codecs.INT, 0)).isEqualTo("80000000");
        assertThat(hex(Codecs.INT, -1)).isEqualTo("7fffffff");
        assertThat(hex(Codecs.INT, Integer.MIN_VALUE)).isEqualTo("00000000");
        assertThat(hex(Codecs.LONG, 1L)).isEqualTo("8000000000000001");
        assertThat(hex(Codecs.DOUBLE, 0.0)).isEqualTo("8000000000000000");
        assertThat(hex(Codecs.DOUBLE, -0.0)).isEqualTo("7fffffffffffffff");
        assertThat(hex(Codecs.DOUBLE, 1.0)).isEqualTo("bff0000000000000");
        assertThat(hex(Codecs.DOUBLE, Double.NaN)).isEqualTo("fff8000000000000");
        assertThat(hex(Codecs.DOUBLE, Double.longBitsToDouble(0xFFF8_0000_0000_0001L)))
                .as("NaNs are canonical")
                .isEqualTo("fff8000000000000");
        assertThat(hex(Codecs.BOOLEAN, false)).isEqualTo("00");
        assertThat(hex(Codecs.BOOLEAN, true)).isEqualTo("01");
        assertThat(hex(Codecs.STRING, "")).isEqualTo("0001");
        assertThat(hex(Codecs.STRING, "a")).isEqualTo("610001");
        assertThat(hex(Codecs.STRING, "a\0")).isEqualTo("6100ff0001");
        assertThat(hex(Codecs.STRING, "é")).isEqualTo("c3a90001");
        assertThat(hex(Codecs.STRING, "\uD83D\uDE00")).isEqualTo("f09f98800001");
        assertThat(hex(Codecs.STRING, "\uD800")).as("unpaired surrogate").isEqualTo("eda0800001");
        assertThat(hex(Codecs.BYTES, new byte[] {0, 1, (byte) 0xFF})).isEqualTo("00ff01ff0001");
        assertThat(hex(Codecs.record(Named.class), new Named("a", 1))).isEqualTo("61000180000001");
        assertThat(hex(Codecs.record(Empty.class), new Empty())).isEmpty();
    }

    @Test
    void aStringFollowedByBytesStartingWithFFIsUnambiguous() {
        // The reason for the two-byte terminator: after "a" comes 0xFF, which must not read as an escape.
        Codec<Named> codec = Codecs.record(Named.class);
        assertThat(decode(codec, hex(codec, new Named("a", Integer.MAX_VALUE))))
                .isEqualTo(new Named("a", Integer.MAX_VALUE));
        assertThat(decode(codec, hex(codec, new Named("a\0", -1)))).isEqualTo(new Named("a\0", -1));
    }

    @Test
    void nullsAreRefusedByName() {
        BytesOut out = new BytesOut();
        assertThatThrownBy(() -> Codecs.STRING.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("string value is null");
        assertThatThrownBy(() -> Codecs.INT.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("int value is null");
        assertThatThrownBy(() -> Codecs.LONG.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("long value is null");
        assertThatThrownBy(() -> Codecs.DOUBLE.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("double value is null");
        assertThatThrownBy(() -> Codecs.BOOLEAN.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("boolean value is null");
        assertThatThrownBy(() -> Codecs.BYTES.encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("bytes value is null");
        assertThatThrownBy(() -> Codecs.record(Named.class).encode(new Named(null, 1), out))
                .isInstanceOf(NullPointerException.class)
                .hasMessage(Named.class.getName() + ".name is null");
        assertThatThrownBy(() -> Codecs.record(Named.class).encode(null, out))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining(Named.class.getName());
    }

    @Test
    void unknownIdsAndClassesAreNamed() {
        ClassLoader loader = getClass().getClassLoader();
        assertThatThrownBy(() -> Codecs.forId("float", loader))
                .isInstanceOf(CodecException.class)
                .hasMessageStartingWith("unknown codec 'float'");
        assertThatThrownBy(() -> Codecs.forId("record:no.Such", loader))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("'record:no.Such'")
                .hasMessageContaining("no.Such not found");
        assertThatThrownBy(() -> Codecs.forId("record:java.lang.String", loader))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("'record:java.lang.String'")
                .hasMessageContaining("not a record");
        assertThatThrownBy(() -> Codecs.forId("record:" + Unsupported.class.getName(), loader))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("component 'when'");
        assertThatThrownBy(() -> Codecs.forType(Instant.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.time.Instant");
    }

    @Test
    void forTypeCoversPrimitivesAndBoxes() {
        assertThat(Codecs.forType(int.class)).isSameAs(Codecs.INT).isSameAs(Codecs.forType(Integer.class));
        assertThat(Codecs.forType(long.class)).isSameAs(Codecs.LONG).isSameAs(Codecs.forType(Long.class));
        assertThat(Codecs.forType(double.class)).isSameAs(Codecs.DOUBLE).isSameAs(Codecs.forType(Double.class));
        assertThat(Codecs.forType(boolean.class)).isSameAs(Codecs.BOOLEAN).isSameAs(Codecs.forType(Boolean.class));
        assertThat(Codecs.forType(String.class)).isSameAs(Codecs.STRING);
        assertThat(Codecs.forType(byte[].class)).isSameAs(Codecs.BYTES);
        assertThat(Codecs.forType(Named.class)).isSameAs(Codecs.record(Named.class));
    }

    @Test
    void unsupportedRecordsNameTheRecordAndComponent() {
        assertThatThrownBy(() -> Codecs.record(Unsupported.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Unsupported.class.getName())
                .hasMessageContaining("component 'when'")
                .hasMessageContaining("java.time.Instant");
        assertThatThrownBy(() -> Codecs.record(Outer.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Outer.class.getName())
                .hasMessageContaining("component 'inner'")
                .hasMessageContaining("component 'when'");
        assertThatThrownBy(() -> Codecs.record(Chain.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("component 'next'")
                .hasMessageContaining("recursive");
        assertThatThrownBy(() -> Codecs.record(Ping.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("recursive");
    }

    @Test
    void recordCodecsAreBuiltOncePerClass() {
        assertThat(Codecs.record(Named.class))
                .isSameAs(Codecs.record(Named.class))
                .hasToString("record:" + Named.class.getName());
    }

    @Test
    void nonPublicRecordsWork() {
        Codec<Hidden> codec = Codecs.record(Hidden.class);
        assertThat(decode(codec, hex(codec, new Hidden(42)))).isEqualTo(new Hidden(42));
    }

    @Test
    void corruptInputIsAClearError() {
        assertThatThrownBy(() -> decode(Codecs.STRING, "610005"))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.BYTES, "610005"))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.STRING, "800001"))
                .as("continuation byte first")
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.STRING, "c3410001"))
                .as("missing continuation")
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.STRING, "e080800001"))
                .as("overlong")
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.STRING, "f59080800001"))
                .as("beyond U+10FFFF")
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.STRING, "e0a00001"))
                .as("cut by the terminator")
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
        assertThatThrownBy(() -> decode(Codecs.BOOLEAN, "02"))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("corrupt input");
    }

    @Test
    void valuesTheConstructorRejectsAreCorruptInput() {
        Codec<Positive> codec = Codecs.record(Positive.class);
        assertThat(decode(codec, hex(codec, new Positive(3)))).isEqualTo(new Positive(3));
        assertThatThrownBy(() -> decode(codec, hex(Codecs.INT, 0)))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("cannot construct " + Positive.class.getName())
                .hasMessageContaining("not positive");
    }

    @Test
    void longStringsTakeTheGeneralPathAfterAnAsciiPrefix() {
        String s = "x".repeat(1000) + "é" + "\0" + "y".repeat(1000);
        BytesOut out = new BytesOut(1);
        Codecs.STRING.encode("before", out);
        Codecs.STRING.encode(s, out);
        BytesIn in = new BytesIn(out.toByteArray());
        assertThat(Codecs.STRING.decode(in)).isEqualTo("before");
        assertThat(Codecs.STRING.decode(in)).isEqualTo(s);
        assertThat(in.remaining()).isZero();
    }
}
