package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.BytesIn;
import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.CodecException;
import dev.cairn.common.codec.Codecs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Utf8.of(text).forEachWord(w -> words.add(w.toString()));
        return words;
    }

    private static List<String> fields(String text, char separator) {
        List<String> fields = new ArrayList<>();
        Utf8.of(text).forEachField(separator, f -> fields.add(f.toString()));
        return fields;
    }

    @Test
    void wordsAreRunsOfNonWhitespaceMultiByteCharactersIncluded() {
        assertThat(words("")).isEmpty();
        assertThat(words("   \t ")).isEmpty();
        assertThat(words("one")).containsExactly("one");
        assertThat(words("  naïve  日本語\tword😀 \r")).containsExactly("naïve", "日本語", "word😀");
        assertThat(words("a\u000Bb\fc\u001Cd\u001Fe")).containsExactly("a", "b", "c", "d", "e");
        // A no-break space is no whitespace to Character.isWhitespace, nor to forEachWord.
        assertThat(words("a\u00A0b c")).containsExactly("a\u00A0b", "c");
    }

    @Test
    void wordsAreThoseOfSplittingTheStringAtAsciiWhitespace() {
        Random random = new Random(17);
        String alphabet = " \t\r\u000B\f\u001Cabcé日😀\u0000";
        for (int round = 0; round < 2_000; round++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++)
                s.appendCodePoint(alphabet.codePointAt(
                        alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            List<String> expected = new ArrayList<>();
            StringBuilder word = new StringBuilder();
            for (char c : s.toString().toCharArray()) {
                if (Character.isWhitespace(c)) {
                    if (!word.isEmpty()) expected.add(word.toString());
                    word.setLength(0);
                } else word.append(c);
            }
            if (!word.isEmpty()) expected.add(word.toString());
            assertThat(words(s.toString())).as("words of [%s]", s).isEqualTo(expected);
        }
    }

    @Test
    void fieldsKeepEmptyOnes() {
        assertThat(fields("", ',')).containsExactly("");
        assertThat(fields("a,b", ',')).containsExactly("a", "b");
        assertThat(fields(",é,,c,", ',')).containsExactly("", "é", "", "c", "");
        assertThatThrownBy(() -> Utf8.of("x").forEachField('é', f -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesAreEqualByTheirBytesWhateverTheArrayAndOrderAsCodePoints() {
        byte[] a = "xxhello".getBytes(StandardCharsets.UTF_8);
        Utf8 view = Utf8.wrap(a, 2, 5);
        Utf8 own = Utf8.of("hello");
        assertThat(view).isEqualTo(own).hasSameHashCodeAs(own);
        assertThat(view.compact().array()).hasSize(5);
        assertThat(view.toString()).isEqualTo("hello");
        assertThat(Utf8.of("hell")).isNotEqualTo(own);
        assertThat(Utf8.of("a").compareTo(Utf8.of("é"))).isNegative();
        assertThat(Utf8.of("é").compareTo(Utf8.of("😀"))).isNegative();
        assertThat(Utf8.of("ab").compareTo(Utf8.of("a"))).isPositive();
        assertThat(Utf8.of("hello").slice(1, 3)).isEqualTo(Utf8.of("el"));
        assertThat(Utf8.of("hello").startsWith(Utf8.of("he"))).isTrue();
        assertThat(Utf8.of("he").startsWith(Utf8.of("hello"))).isFalse();
        assertThatThrownBy(() -> Utf8.wrap(a, 5, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void parseLongReadsDecimalsToTheLimits() {
        assertThat(Utf8.of("0").parseLong()).isZero();
        assertThat(Utf8.of("-42").parseLong()).isEqualTo(-42);
        assertThat(Utf8.of(Long.toString(Long.MAX_VALUE)).parseLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(Utf8.of(Long.toString(Long.MIN_VALUE)).parseLong()).isEqualTo(Long.MIN_VALUE);
        for (String bad : new String[] {"", "-", "1x", "9223372036854775808", "-9223372036854775809", " 1"})
            assertThatThrownBy(() -> Utf8.of(bad).parseLong()).as(bad).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void theCodecWritesWhatTheStringCodecWritesAndReadsItBack() {
        for (String s : new String[] {"", "word", "naïve", "日本語", "😀", "nul\u0000inside\u0000", "\u0000"}) {
            BytesOut viaString = new BytesOut();
            Codecs.STRING.encode(s, viaString);
            BytesOut viaUtf8 = new BytesOut();
            viaUtf8.write(7); // an offset into the buffer, as in a record's encoding
            Utf8.CODEC.encode(Utf8.of(s), viaUtf8);
            assertThat(Arrays.copyOfRange(viaUtf8.array(), 1, viaUtf8.size()))
                    .as(s)
                    .isEqualTo(viaString.toByteArray());
            BytesIn in = new BytesIn(viaUtf8.toByteArray());
            in.readUnsigned();
            assertThat(Utf8.CODEC.decode(in)).isEqualTo(Utf8.of(s));
            assertThat(in.remaining()).isZero();
        }
        assertThatThrownBy(() -> Utf8.CODEC.decode(new BytesIn(new byte[] {'a', 'b'})))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> Utf8.CODEC.decode(new BytesIn(new byte[] {'a', 0, 7, 0, 1})))
                .isInstanceOf(CodecException.class);
    }
}
