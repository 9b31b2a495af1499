package dev.cairn.dataflow.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BytesLongTableTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Long> contents(BytesLongTable table) {
        Map<String, Long> m = new HashMap<>();
        for (int e = 0; e < table.size(); e++) {
            String k =
                    new String(table.keyArray(), table.keyOffset(e), table.keyLength(e), StandardCharsets.ISO_8859_1);
            assertThat(m.put(k, table.total(e))).as("key %s held once", k).isNull();
        }
        return m;
    }

    @Test
    void addsUpTotalsPerKeyAsAHashMapWouldThroughManyResizes() {
        // Keys of 0..40 random bytes (zeros and the empty key included), from a slice of a larger array.
        Random random = new Random(3);
        byte[][] keys = new byte[50_000][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new byte[random.nextInt(41)];
            random.nextBytes(keys[i]);
        }
        BytesLongTable table = new BytesLongTable(1 << 20, 1 << 24);
        Map<String, Long> expected = new HashMap<>();
        byte[] buffer = new byte[64];
        for (int i = 0; i < 400_000; i++) {
            byte[] k = keys[(int) (Math.pow(random.nextDouble(), 2) * keys.length)];
            long v = random.nextInt(1000) - 500;
            int at = random.nextInt(buffer.length - k.length + 1);
            System.arraycopy(k, 0, buffer, at, k.length);
            assertThat(table.add(buffer, at, k.length, v, i)).isTrue();
            expected.merge(new String(k, StandardCharsets.ISO_8859_1), v, Long::sum);
        }
        assertThat(table.size()).isEqualTo(expected.size());
        assertThat(contents(table)).isEqualTo(expected);
    }

    @Test
    void keysWhoseHashesCollideInTheSlotsAreKeptApart() {
        // Find keys that share a slot of a small table, and keys of equal length differing in one byte.
        Set<Integer> slots = new HashSet<>();
        BytesLongTable table = new BytesLongTable(100, 1000);
        Map<String, Long> expected = new HashMap<>();
        int collisions = 0;
        for (int i = 0; i < 100; i++) {
            byte[] k = bytes("key" + i);
            if (!slots.add(BytesLongTable.hash(k, 0, k.length) & 1023)) collisions++;
            table.add(k, 0, k.length, i, 0);
            table.add(k, 0, k.length, 1, 0);
            expected.put("key" + i, i + 1L);
        }
        assertThat(collisions)
                .as("100 keys in 1024 slots share some (birthday bound)")
                .isPositive();
        assertThat(contents(table)).isEqualTo(expected);
    }

    @Test
    void keysEqualInTheirFirstSixteenBytesOrButForTrailingZerosAreKeptApart() {
        BytesLongTable table = new BytesLongTable(100, 1000);
        String prefix = "0123456789abcdef";
        String[] keys = {
            prefix + "long key one", prefix + "long key two", prefix, prefix + "\0", "ab", "ab\0", "ab\0\0", "", "\0"
        };
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < keys.length; i++) {
                byte[] k = bytes(keys[i]);
                table.add(k, 0, k.length, i + 1, round);
            }
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < keys.length; i++) expected.put(keys[i], 3L * (i + 1));
        assertThat(contents(table)).isEqualTo(expected);
    }

    @Test
    void theHashMixesEveryByteOfLongAndShortKeys() {
        Set<Integer> hashes = new HashSet<>();
        byte[] k = new byte[20];
        for (int len = 0; len <= 20; len++) {
            for (int pos = 0; pos < len; pos++) {
                Arrays.fill(k, (byte) 'a');
                k[pos] = 'b';
                hashes.add(BytesLongTable.hash(k, 0, len));
            }
            Arrays.fill(k, (byte) 'a');
            hashes.add(BytesLongTable.hash(k, 0, len));
        }
        // 21 all-'a' keys plus one per (length, position): 21 + 210 distinct keys.
        assertThat(hashes).hasSize(231);
    }

    @Test
    void aFullTableRefusesNewKeysButStillAddsToItsOwnAndKeepsTheLatestTimestamp() {
        BytesLongTable byCount = new BytesLongTable(2, 1000);
        assertThat(byCount.add(bytes("a"), 0, 1, 5, 10)).isTrue();
        assertThat(byCount.add(bytes("b"), 0, 1, 1, 3)).isTrue();
        assertThat(byCount.add(bytes("c"), 0, 1, 1, 4)).isFalse();
        assertThat(byCount.add(bytes("a"), 0, 1, 2, 7)).isTrue();
        assertThat(byCount.size()).isEqualTo(2);
        assertThat(byCount.total(0)).isEqualTo(7);
        assertThat(byCount.timestamp(0)).isEqualTo(10);

        BytesLongTable byBytes = new BytesLongTable(100, 5);
        assertThat(byBytes.add(bytes("abc"), 0, 3, 1, 0)).isTrue();
        assertThat(byBytes.add(bytes("xyz"), 0, 3, 1, 0)).as("3 + 3 bytes > 5").isFalse();
        assertThat(byBytes.add(bytes("xy"), 0, 2, 1, 0)).isTrue();
        assertThat(byBytes.add(new byte[0], 0, 0, 4, 0))
                .as("the empty key takes no bytes")
                .isTrue();
        assertThat(contents(byBytes)).isEqualTo(Map.of("abc", 1L, "xy", 1L, "", 4L));

        byBytes.clear();
        assertThat(byBytes.size()).isZero();
        assertThat(byBytes.add(bytes("xyz"), 0, 3, 9, 0)).isTrue();
        assertThat(contents(byBytes)).isEqualTo(Map.of("xyz", 9L));
    }
}
