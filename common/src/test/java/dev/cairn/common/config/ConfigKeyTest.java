package dev.cairn.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {
    private static final String D = "from -D override";

    @Test
    void numbersAndBooleansParseFromText() {
        assertThat(ConfigKey.intKey("a.b", 1, "").parse(" 42 ", D)).isEqualTo(42);
        assertThat(ConfigKey.intKey("a.b", 1, "").parse("-7", D)).isEqualTo(-7);
        assertThat(ConfigKey.longKey("a.b", 1, "").parse("9000000000", D)).isEqualTo(9_000_000_000L);
        assertThat(ConfigKey.doubleKey("a.b", 1, "").parse("1e3", D)).isEqualTo(1000.0);
        assertThat(ConfigKey.doubleKey("a.b", 1, "").parse(".5", D)).isEqualTo(0.5);
        assertThat(ConfigKey.doubleKey("a.b", 1, "").parse(".inf", D)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(ConfigKey.doubleKey("a.b", 1, "").parse("NaN", D)).isNaN();
        for (String t : List.of("true", "TRUE", "yes", "on"))
            assertThat(ConfigKey.boolKey("a.b", false, "").parse(t, D)).isTrue();
        for (String t : List.of("false", "False", "no", "off"))
            assertThat(ConfigKey.boolKey("a.b", true, "").parse(t, D)).isFalse();
    }

    @Test
    void badValuesNameKeySourceTypeAndValue() {
        assertThatThrownBy(() -> ConfigKey.intKey("worker.slots", 1, "").parse("abc", D))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'worker.slots' from -D override: expected an integer, got 'abc'");
        assertThatThrownBy(() -> ConfigKey.intKey("a.b", 1, "").parse("3000000000", D))
                .hasMessageEndingWith("expected an integer, got '3000000000'");
        assertThatThrownBy(() -> ConfigKey.intKey("a.b", 1, "").parse("", D))
                .hasMessageEndingWith("expected an integer, got ''");
        assertThatThrownBy(() -> ConfigKey.intKey("a.b", 1, "").parse(List.of("1"), D))
                .hasMessageEndingWith("expected an integer, got '[1]'");
        assertThatThrownBy(() -> ConfigKey.longKey("a.b", 1, "").parse("1.5", D))
                .hasMessageEndingWith("expected an integer, got '1.5'");
        assertThatThrownBy(() -> ConfigKey.doubleKey("a.b", 1, "").parse("1f", D))
                .hasMessageEndingWith("expected a number, got '1f'");
        assertThatThrownBy(() -> ConfigKey.doubleKey("a.b", 1, "").parse("0x10", D))
                .hasMessageEndingWith("expected a number, got '0x10'");
        assertThatThrownBy(() -> ConfigKey.boolKey("a.b", true, "").parse("maybe", D))
                .hasMessageEndingWith("expected true or false, got 'maybe'");
        assertThatThrownBy(() -> ConfigKey.stringKey("a.b", null, "").parse(List.of("x"), D))
                .hasMessageEndingWith("expected a string, got '[x]'");
        assertThatThrownBy(() -> ConfigKey.durationKey("a.b", Duration.ZERO, "")
                        .parse("10 parsecs", "from environment variable CAIRN_A_B"))
                .hasMessage(
                        "config key 'a.b' from environment variable CAIRN_A_B: expected a duration like 500ms, 10s, 2m or 1h, got '10 parsecs'");
        assertThatThrownBy(() -> ConfigKey.sizeKey("a.b", 0, "").parse("-1m", D))
                .hasMessageEndingWith("expected a size like 512k, 64m or 1g, got '-1m'");
        assertThatThrownBy(() -> ConfigKey.intKey("a.b", 1, "").parse(null, D)).hasMessageEndingWith("got 'null'");
    }

    @Test
    void stringsAreLiteral() {
        ConfigKey<String> k = ConfigKey.stringKey("node.id", null, "");
        assertThat(k.defaultValue()).isNull();
        assertThat(k.parse("010", D)).isEqualTo("010");
        assertThat(k.parse(" padded ", D)).isEqualTo(" padded ");
        assertThat(k.format(null)).isEmpty();
    }

    @Test
    void listsComeAsYamlListsOrCommaSeparatedText() {
        ConfigKey<List<String>> k = ConfigKey.listKey("node.roles", List.of("master", "worker"), "");
        assertThat(k.parse(List.of("a", " b "), D)).containsExactly("a", "b");
        assertThat(k.parse("a, b,,c ", D)).containsExactly("a", "b", "c");
        assertThat(k.parse("[a, b]", D)).containsExactly("a", "b");
        assertThat(k.parse("", D)).isEmpty();
        assertThat(k.format(List.of("a", "b"))).isEqualTo("a,b");
        assertThat(k.parse(k.format(List.of("a", "b")), D)).containsExactly("a", "b");
        assertThatThrownBy(() -> k.parse(java.util.Arrays.asList("a", null), D))
                .hasMessageEndingWith("expected a list, got '[a, null]'");
        assertThatThrownBy(() -> k.defaultValue().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void durationsAndSizesParseAndFormat() {
        ConfigKey<Duration> d = ConfigKey.durationKey("a.b", Duration.ofSeconds(10), "");
        assertThat(d.parse("500ms", D)).isEqualTo(Duration.ofMillis(500));
        assertThat(d.parse("2m", D)).isEqualTo(Duration.ofMinutes(2));
        assertThat(d.parse("250", D)).isEqualTo(Duration.ofMillis(250));
        assertThat(d.format(Duration.ofMillis(90_000))).isEqualTo("90s");
        assertThat(d.format(Duration.ofHours(48))).isEqualTo("2d");
        ConfigKey<Long> s = ConfigKey.sizeKey("a.c", 64L << 20, "");
        assertThat(s.parse("1g", D)).isEqualTo(1L << 30);
        assertThat(s.format(s.defaultValue())).isEqualTo("64m");
        assertThat(s.format(1536L)).isEqualTo("1536");
    }

    @Test
    void constraintsApplyToParsedValuesAndDefaults() {
        ConfigKey<Integer> slots =
                ConfigKey.intKey("worker.slots", 2, "").min(1).max(64);
        assertThat(slots.parse("64", D)).isEqualTo(64);
        assertThatThrownBy(() -> slots.parse("0", D))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'worker.slots' from -D override: must be at least 1, got '0'");
        assertThatThrownBy(() -> slots.parse("65", D)).hasMessageEndingWith("must be at most 64, got '65'");
        ConfigKey<Duration> t =
                ConfigKey.durationKey("a.t", Duration.ofSeconds(1), "").min(Duration.ofMillis(100));
        assertThatThrownBy(() -> t.parse("50ms", D)).hasMessageEndingWith("must be at least 100ms, got '50ms'");
        ConfigKey<String> host = ConfigKey.stringKey("a.h", "x", "").validate(h -> !h.isBlank(), "must not be blank");
        assertThatThrownBy(() -> host.parse(" ", D)).hasMessageEndingWith("must not be blank, got ' '");
        assertThatThrownBy(() -> ConfigKey.intKey("a.b", 0, "").min(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default of config key 'a.b' must be at least 1");
        assertThatThrownBy(() -> ConfigKey.listKey("a.l", List.of(), "").min(List.of()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void namesAreLowerCaseDottedWords() {
        for (String bad : List.of("slots", "Worker.slots", "a..b", "a.b.", ".a.b", "a.1b", "a_b.c", "a b.c")) {
            assertThatThrownBy(() -> ConfigKey.intKey(bad, 0, "")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ConfigKey.intKey("master.worker-timeout2.x", 0, "").name()).isEqualTo("master.worker-timeout2.x");
    }

    @Test
    void publicUnitHelpersRejectBadTextWithIllegalArgument() {
        assertThat(ConfigKey.parseSize("64MB")).isEqualTo(64L << 20);
        assertThatThrownBy(() -> ConfigKey.parseSize("9999999999t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> ConfigKey.parseDuration("1.5s")).isInstanceOf(IllegalArgumentException.class);
    }
}
