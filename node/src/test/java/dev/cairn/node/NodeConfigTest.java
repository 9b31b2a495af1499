package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    /** conf/cairn.yaml documents every key; it must be exactly what the declarations render. */
    @Test
    void shippedConfigFileIsTheRenderedDefaults() throws Exception {
        Path shipped = Path.of("..", "conf", "cairn.yaml");
        assertThat(Files.readString(shipped))
                .as("regenerate with: bin/cairn config > conf/cairn.yaml")
                .isEqualTo(NodeConfig.DEF.renderYaml());
    }

    /** Each module declares its keys with their ranges; a value out of range names the key and where it came from. */
    @Test
    void outOfRangeValuesNameTheKeyAndTheirSource() throws Exception {
        assertThatThrownBy(() -> Config.load(NodeConfig.DEF, null, Map.of(), Map.of("coord.max-data", "65m")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config key 'coord.max-data' from -D override: must be at most 64m, got '65m'");
        assertThatThrownBy(() ->
                        Config.load(NodeConfig.DEF, null, Map.of("CAIRN_WORKER_FETCH_PARALLELISM", "0"), Map.of()))
                .hasMessage(
                        "config key 'worker.fetch-parallelism' from environment variable CAIRN_WORKER_FETCH_PARALLELISM: must be at least 1, got '0'");
        Path f = Files.createTempFile("cairn", ".yaml");
        try {
            Files.writeString(f, "node:\n  port: 70000\n");
            assertThatThrownBy(() -> Config.load(NodeConfig.DEF, f, Map.of(), Map.of()))
                    .hasMessage("config key 'node.port' in " + f + ": must be at most 65535, got '70000'");
        } finally {
            Files.delete(f);
        }
    }
}
