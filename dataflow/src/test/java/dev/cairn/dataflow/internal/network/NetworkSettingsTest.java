package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.config.Config;
import dev.cairn.common.config.ConfigDef;
import dev.cairn.common.config.ConfigException;
import dev.cairn.dataflow.DataflowConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkSettingsTest {
    private static final ConfigDef DEF = new ConfigDef("dataflow", DataflowConfig.KEYS);

    @Test
    void theDefaultsBoundANodeAsDocumented() {
        NetworkSettings settings = NetworkSettings.from(Config.defaults(DEF));
        assertThat(settings).isEqualTo(NetworkSettings.defaults());
        assertThat(settings.producerBytesPerChannel()).isEqualTo(9 * 32 * 1024);
        assertThat(settings.gateBytes(4)).isEqualTo((8 * 4 + 8) * 32 * 1024);
    }

    @Test
    void overridesAreReadAndCheckedAgainstTheirRange() {
        Config config = Config.load(
                DEF,
                null,
                Map.of(),
                Map.of("dataflow.network.buffer-size", "64k", "dataflow.network.buffers-per-channel", "4"));
        assertThat(NetworkSettings.from(config).bufferSize()).isEqualTo(64 * 1024);
        assertThat(NetworkSettings.from(config).buffersPerChannel()).isEqualTo(4);
        assertThatThrownBy(() -> Config.load(DEF, (Path) null, Map.of(), Map.of("dataflow.network.buffer-size", "100")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dataflow.network.buffer-size")
                .hasMessageContaining("at least");
    }
}
