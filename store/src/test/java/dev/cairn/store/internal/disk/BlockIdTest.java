package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockIdTest {
    @Test
    void textFormIsPrefixAndSixteenHexDigits() {
        assertThat(new BlockId(0x1fL)).hasToString("blk_000000000000001f");
        assertThat(new BlockId(-1L)).hasToString("blk_ffffffffffffffff");
    }

    @Test
    void parseReadsBackEveryId() {
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            BlockId id = new BlockId(random.nextLong());
            assertThat(BlockId.parse(id.toString())).isEqualTo(id);
        }
    }

    @Test
    void parseRejectsOtherNames() {
        for (String bad : new String[] {
            "blk_1f",
            "blk_000000000000001F",
            "blk_000000000000001f.crc",
            "xyz_000000000000001f",
            "blk_00000000000000g1",
            ""
        }) {
            assertThat(BlockId.isBlockName(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> BlockId.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a block id");
        }
    }

    @Test
    void orderIsThatOfTheTextForm() {
        BlockId small = new BlockId(1), big = new BlockId(-1);
        assertThat(small).isLessThan(big);
        assertThat(small.toString()).isLessThan(big.toString());
    }
}
