package dev.cairn.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class UnitsTest {
    @Example
    void durations() {
        assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.parseDuration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Units.parseDuration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.parseDuration(" 10 S ")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Units.parseDuration("0")).isEqualTo(Duration.ZERO);
        for (String bad : List.of("", "ms", "s", "-5s", "+5s", "1.5s", "10x", "10us", "1 0s", "99999999999999999d")) {
            assertThatThrownBy(() -> Units.parseDuration(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Example
    void durationsFormatInTheLargestExactUnit() {
        assertThat(Units.formatDuration(Duration.ZERO)).isEqualTo("0ms");
        assertThat(Units.formatDuration(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Units.formatDuration(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Units.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Units.formatDuration(Duration.ofSeconds(3600))).isEqualTo("1h");
        assertThat(Units.formatDuration(Duration.ofMinutes(61))).isEqualTo("61m");
        assertThat(Units.formatDuration(Duration.ofHours(24))).isEqualTo("1d");
    }

    @Property
    void durationsRoundTrip(@ForAll @LongRange(max = 1L << 40) long ms, @ForAll @IntRange(max = 4) int unit) {
        long[] scale = {1, 1000, 60_000, 3_600_000, 86_400_000};
        Duration d = Duration.ofMillis(ms % (1L << 30) * scale[unit]);
        String text = Units.formatDuration(d);
        assertThat(Units.parseDuration(text)).isEqualTo(d);
        assertThat(text.length())
                .isLessThanOrEqualTo(Long.toString(d.toMillis()).length() + 2);
    }

    @Example
    void sizes() {
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThat(Units.parseSize("512k")).isEqualTo(512L << 10);
        assertThat(Units.parseSize("64m")).isEqualTo(64L << 20);
        assertThat(Units.parseSize("64MB")).isEqualTo(64L << 20);
        assertThat(Units.parseSize(" 1 G ")).isEqualTo(1L << 30);
        assertThat(Units.parseSize("2t")).isEqualTo(2L << 40);
        assertThat(Units.parseSize("7b")).isEqualTo(7);
        for (String bad : List.of("", "m", "-1", "-1k", "1.5m", "1x", "k64", "8388608t", "99999999999999999999")) {
            assertThatThrownBy(() -> Units.parseSize(bad)).as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Units.formatSize(0)).isEqualTo("0");
        assertThat(Units.formatSize(1000)).isEqualTo("1000");
        assertThat(Units.formatSize(3072)).isEqualTo("3k");
        assertThat(Units.formatSize(64L << 20)).isEqualTo("64m");
        assertThat(Units.formatSize(1L << 40)).isEqualTo("1t");
    }

    @Property
    void sizesRoundTrip(@ForAll @LongRange(min = 0) long n, @ForAll @IntRange(max = 4) int unit) {
        long bytes = (n >> (10 * unit)) << (10 * unit);
        assertThat(Units.parseSize(Units.formatSize(bytes))).isEqualTo(bytes);
    }
}
