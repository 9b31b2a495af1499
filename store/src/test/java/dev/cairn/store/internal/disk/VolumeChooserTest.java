package dev.cairn.store.internal.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeChooserTest {
    private static final long GB = 1L << 30;
    private final VolumeChooser chooser = new VolumeChooser(List.of(), dir -> 0);

    private List<Integer> choices(int n, long... free) {
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) picked.add(chooser.choose(free));
        return picked;
    }

    @Test
    void theMostSpaceWins() {
        assertThat(choices(4, 10 * GB, 30 * GB, 20 * GB)).containsOnly(1);
    }

    @Test
    void tiesTakeTurns() {
        assertThat(choices(6, 30 * GB, 10 * GB, 30 * GB)).containsExactly(0, 2, 0, 2, 0, 2);
    }

    @Test
    void aFewMegabytesApartIsATie() {
        long most = 30 * GB;
        assertThat(choices(4, most, most - VolumeChooser.TIE_BYTES, most - VolumeChooser.TIE_BYTES - 1))
                .containsExactly(0, 1, 0, 1);
    }
}
