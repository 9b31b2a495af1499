package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    /** conf/cairn.yaml documents every key; it must be exactly what the declarations render. */
    @Test
    void shippedConfigFileIsTheRenderedDefaults() throws Exception {
        Path shipped = Path.of("..", "conf", "cairn.yaml");
        assertThat(Files.readString(shipped)).as("regenerate with: bin/cairn config > conf/cairn.yaml")
                .isEqualTo(NodeConfig.DEF.renderYaml());
    }
}
