package dev.cairn.common.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BytesTest {
    @Example
    void hashIsMurmur3WithSeedZero() {
        // Reference values from Guava's Hashing.murmur3_32_fixed(0); partitioning must agree between nodes.
        assertThat(hash("")).isEqualTo(0);
        assertThat(hash("a")).isEqualTo(0x3c2569b2);
        assertThat(hash("ab")).isEqualTo(0x9bbfd75f);
        assertThat(hash("abc")).isEqualTo(0xb3dd93fa);
        assertThat(hash("abcd")).isEqualTo(0x43ed676a);
        assertThat(hash("hello")).isEqualTo(0x248bfa47);
        assertThat(hash("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723);
    }

    private static int hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Bytes.hash(b, 0, b.length);
    }

    @Property
    void hashAndPrefixReadOnlyTheirSlice(@ForAll @Size(max = 20) byte[] b, @ForAll @IntRange(max = 5) int pad) {
        byte[] padded = new byte[b.length + 2 * pad];
        Arrays.fill(padded, (byte) 0x5A);
        System.arraycopy(b, 0, padded, pad, b.length);
        assertThat(Bytes.hash(padded, pad, b.length)).isEqualTo(Bytes.hash(b, 0, b.length));
        assertThat(Bytes.prefix(padded, pad, b.length)).isEqualTo(Bytes.prefix(b, 0, b.length));
    }

    @Property
    void compareIsUnsignedLexicographic(@ForAll @Size(max = 12) byte[] a, @ForAll @Size(max = 12) byte[] b) {
        assertThat(Integer.signum(Bytes.compare(a, 0, a.length, b, 0, b.length)))
                .isEqualTo(Integer.signum(Arrays.compareUnsigned(a, b)));
    }

    @Property(tries = 2000)
    void prefixAgreesWithCompareWheneverItDecides(@ForAll @Size(max = 12) byte[] a, @ForAll @Size(max = 12) byte[] b) {
        int p = Long.compareUnsigned(Bytes.prefix(a, 0, a.length), Bytes.prefix(b, 0, b.length));
        if (p != 0)
            assertThat(Integer.signum(p)).isEqualTo(Integer.signum(Bytes.compare(a, 0, a.length, b, 0, b.length)));
    }

    @Example
    void prefixIsBigEndianAndZeroPadded() {
        assertThat(Bytes.prefix(new byte[0], 0, 0)).isZero();
        assertThat(Bytes.prefix(new byte[] {1}, 0, 1)).isEqualTo(0x0100_0000_0000_0000L);
        assertThat(Bytes.prefix(new byte[] {(byte) 0xFF, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 9))
                .isEqualTo(0xFF02_0304_0506_0708L);
    }
}
