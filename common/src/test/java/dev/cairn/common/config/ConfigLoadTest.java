package dev.cairn.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoadTest {
    static final ConfigKey<Integer> SLOTS =
            ConfigKey.intKey("worker.slots", 1, "Slots.").min(0);
    static final ConfigKey<Long> BUFFER = ConfigKey.sizeKey("worker.sort-buffer", 64L << 20, "Buffer.");
    static final ConfigKey<Duration> TIMEOUT =
            ConfigKey.durationKey("master.worker-timeout", Duration.ofSeconds(10), "Timeout.");
    static final ConfigKey<String> ID = ConfigKey.stringKey("node.id", null, "Id.");
    static final ConfigKey<String> HOST = ConfigKey.stringKey("node.host", "127.0.0.1", "Host.");
    static final ConfigKey<List<String>> ROLES = ConfigKey.listKey("node.roles", List.of("master", "worker"), "Roles.");
    static final ConfigDef DEF = ConfigDef.of("Test", SLOTS, BUFFER, TIMEOUT, ID, HOST, ROLES);

    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("node.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsFileEnvironmentOverridesInThatOrder() throws Exception {
        Path f = yaml("worker.slots: 2\nworker.sort-buffer: 32m\nmaster.worker-timeout: 5s\n");
        Map<String, String> env = Map.of("CAIRN_WORKER_SORT_BUFFER", "16m", "CAIRN_MASTER_WORKER_TIMEOUT", "3s");
        Config c = Config.load(DEF, f, env, Map.of("master.worker-timeout", "1s"));
        assertThat(c.get(HOST)).as("default").isEqualTo("127.0.0.1");
        assertThat(c.get(SLOTS)).as("file over default").isEqualTo(2);
        assertThat(c.get(BUFFER)).as("environment over file").isEqualTo(16L << 20);
        assertThat(c.get(TIMEOUT)).as("override over environment").isEqualTo(Duration.ofSeconds(1));
        assertThat(c.get(ID)).isNull();
        assertThat(c.describe())
                .contains(
                        "worker.slots = 2 (in " + f + ")",
                        "worker.sort-buffer = 16m (from environment variable CAIRN_WORKER_SORT_BUFFER)",
                        "master.worker-timeout = 1s (from -D override)",
                        "node.host = 127.0.0.1 (default)",
                        "node.id unset (default)");
    }

    @Test
    void nestedFlatAndMixedYamlAreTheSame() throws Exception {
        Map<String, String> expected = Config.load(
                        DEF, null, Map.of(), Map.of("worker.slots", "3", "node.roles", "worker", "node.id", "n1"))
                .toMap();
        for (String text : List.of(
                "worker:\n  slots: 3\nnode:\n  roles: [worker]\n  id: n1\n",
                "worker.slots: 3\nnode.roles:\n  - worker\nnode.id: n1\n",
                "worker: {slots: 3}\nnode.roles: worker\nnode: {id: n1}\n")) {
            assertThat(Config.load(DEF, yaml(text), Map.of(), Map.of()).toMap())
                    .as(text)
                    .isEqualTo(expected);
        }
    }

    @Test
    void scalarsAreReadLiterallyByTheirKeysType() throws Exception {
        Config c = Config.load(DEF, yaml("node.id: 010\nnode.host: 1:30\nworker.slots: '4'\n"), Map.of(), Map.of());
        assertThat(c.get(ID)).isEqualTo("010");
        assertThat(c.get(HOST)).isEqualTo("1:30");
        assertThat(c.get(SLOTS)).isEqualTo(4);
    }

    @Test
    void emptyValuesAndSectionsLeaveDefaults() throws Exception {
        Config c = Config.load(DEF, yaml("node.id:\nworker.slots: ~\nmaster:\n"), Map.of(), Map.of());
        assertThat(c.get(ID)).isNull();
        assertThat(c.get(SLOTS)).isEqualTo(1);
        assertThat(Config.load(DEF, yaml(""), Map.of(), Map.of()).toMap())
                .isEqualTo(Config.defaults(DEF).toMap());
        assertThat(Config.load(DEF, yaml("# only comments\n"), Map.of(), Map.of())
                        .toMap())
                .isEqualTo(Config.defaults(DEF).toMap());
    }

    @Test
    void unrelatedEnvironmentVariablesAreIgnored() {
        Config c = Config.load(
                DEF, null, Map.of("CAIRN_OPTS", "-Xmx1g", "CAIRN_WORKER_SLOTZ", "x", "PATH", "/bin"), Map.of());
        assertThat(c.toMap()).isEqualTo(Config.defaults(DEF).toMap());
    }

    @Test
    void unknownKeysAreNamedWithTheNearestKnownOne() throws Exception {
        Path f = yaml("worker.slot: 2\n");
        assertThatThrownBy(() -> Config.load(DEF, f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown config key 'worker.slot' in " + f + " (did you mean 'worker.slots'?)");
        Path nested = yaml("worker:\n  sort_buffer: 1m\n");
        assertThatThrownBy(() -> Config.load(DEF, nested, Map.of(), Map.of()))
                .hasMessage("unknown config key 'worker.sort_buffer' in " + nested
                        + " (did you mean 'worker.sort-buffer'?)");
        assertThatThrownBy(() -> Config.load(DEF, null, Map.of(), Map.of("completely.different", "1")))
                .hasMessage("unknown config key 'completely.different' from -D override");
        assertThatThrownBy(() -> Config.load(DEF, null, Map.of(), Map.of("node.hots", "x")))
                .hasMessage("unknown config key 'node.hots' from -D override (did you mean 'node.host'?)");
    }

    @Test
    void unparsableValuesSayWhereTheyCameFrom() throws Exception {
        assertThatThrownBy(() -> Config.load(DEF, null, Map.of(), Map.of("worker.slots", "abc")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'worker.slots' from -D override: expected an integer, got 'abc'");
        assertThatThrownBy(() -> Config.load(DEF, null, Map.of("CAIRN_WORKER_SLOTS", "many"), Map.of()))
                .hasMessage(
                        "config key 'worker.slots' from environment variable CAIRN_WORKER_SLOTS: expected an integer, got 'many'");
        Path f = yaml("worker:\n  slots: [1, 2]\n");
        assertThatThrownBy(() -> Config.load(DEF, f, Map.of(), Map.of()))
                .hasMessage("config key 'worker.slots' in " + f + ": expected an integer, got '[1, 2]'");
        assertThatThrownBy(() -> Config.load(DEF, null, Map.of(), Map.of("worker.slots", "-1")))
                .hasMessage("config key 'worker.slots' from -D override: must be at least 0, got '-1'");
    }

    @Test
    void fileProblemsAreOneLineMessages() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> Config.load(DEF, missing, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file not found: " + missing);
        Path bad = yaml("worker:\n  slots: 2\n   sort-buffer: 1m\n");
        assertThatThrownBy(() -> Config.load(DEF, bad, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("malformed YAML in " + bad + " at line 3, column ")
                .hasMessageNotContaining("\n");
        Path unclosed = yaml("node.roles: [a, b\n");
        assertThatThrownBy(() -> Config.load(DEF, unclosed, Map.of(), Map.of()))
                .hasMessageStartingWith("malformed YAML in " + unclosed + " at line 2");
        Path dup = yaml("worker.slots: 1\nworker.slots: 2\n");
        assertThatThrownBy(() -> Config.load(DEF, dup, Map.of(), Map.of()))
                .hasMessageStartingWith("malformed YAML in " + dup + " at line 2")
                .hasMessageContaining("duplicate key");
        Path twice = yaml("worker.slots: 1\nworker:\n  slots: 2\n");
        assertThatThrownBy(() -> Config.load(DEF, twice, Map.of(), Map.of()))
                .hasMessage("config key 'worker.slots' is set twice in " + twice);
        Path list = yaml("- worker.slots: 1\n");
        assertThatThrownBy(() -> Config.load(DEF, list, Map.of(), Map.of()))
                .hasMessage("config file " + list + " must hold a map of keys to values, not a list");
        Path scalar = yaml("just text\n");
        assertThatThrownBy(() -> Config.load(DEF, scalar, Map.of(), Map.of()))
                .hasMessage("config file " + scalar + " must hold a map of keys to values, not a single value");
        assertThatThrownBy(() -> Config.load(DEF, dir, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read config file " + dir);
    }

    @Test
    void configExceptionsAreIllegalArgumentsForTheCli() {
        assertThat(new ConfigException("x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withReturnsAChangedCopy() {
        Config base = Config.defaults(DEF);
        Config changed = base.with(SLOTS, 8).with(ID, "n7");
        assertThat(base.get(SLOTS)).isEqualTo(1);
        assertThat(changed.get(SLOTS)).isEqualTo(8);
        assertThat(changed.get(ID)).isEqualTo("n7");
        assertThat(changed.with(ID, null).get(ID)).isNull();
        assertThat(changed.describe()).contains("worker.slots = 8 (set in code)");
        assertThatThrownBy(() -> base.with(SLOTS, -1))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'worker.slots' set in code: must be at least 0, got '-1'");
        assertThatThrownBy(() -> base.with(HOST, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be unset");
    }

    @Test
    void keysOfOtherDefinitionsAreRefused() {
        ConfigKey<Integer> lookalike = ConfigKey.intKey("worker.slots", 1, "Slots.");
        ConfigKey<Integer> stranger = ConfigKey.intKey("other.key", 1, "");
        Config c = Config.defaults(DEF);
        assertThatThrownBy(() -> c.get(lookalike))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not declared in Test");
        assertThatThrownBy(() -> c.get(stranger)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.with(stranger, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toMapReproducesTheConfigurationAsOverrides() throws Exception {
        Config c = Config.load(
                DEF,
                yaml("node:\n  roles: [a, b]\n  id: n1\nworker.slots: 5\n"),
                Map.of("CAIRN_MASTER_WORKER_TIMEOUT", "1500ms"),
                Map.of("worker.sort-buffer", "1000"));
        Map<String, String> map = c.toMap();
        assertThat(map)
                .containsEntry("node.roles", "a,b")
                .containsEntry("node.id", "n1")
                .containsEntry("worker.slots", "5")
                .containsEntry("master.worker-timeout", "1500ms")
                .containsEntry("worker.sort-buffer", "1000");
        Config child = Config.load(DEF, null, Map.of(), map);
        for (ConfigKey<?> k : DEF.keys())
            assertThat((Object) child.get(k)).as(k.name()).isEqualTo(c.get(k));
        assertThat(Config.defaults(DEF).toMap()).doesNotContainKey("node.id");
    }

    @Test
    void environmentVariableNames() {
        assertThat(Config.envName("worker.slots")).isEqualTo("CAIRN_WORKER_SLOTS");
        assertThat(Config.envName("master.worker-timeout")).isEqualTo("CAIRN_MASTER_WORKER_TIMEOUT");
    }
}
