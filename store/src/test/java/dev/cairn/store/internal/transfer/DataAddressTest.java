package dev.cairn.store.internal.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:7071", "node-3.example.org:0", "[::1]:65535", "[fe80::1%eth0]:80"})
    void textRoundTrips(String text) {
        assertThat(DataAddress.parse(text).toString()).isEqualTo(text);
    }

    @Test
    void partsAreRead() {
        assertThat(DataAddress.parse("h:12")).isEqualTo(new DataAddress("h", 12));
        assertThat(DataAddress.parse("[::1]:9")).isEqualTo(new DataAddress("::1", 9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":80", "host:", "host:x", "host:65536", "host:-1", "::1:80", "[]:80"})
    void badTextIsRefusedSayingWhat(String text) {
        assertThatThrownBy(() -> DataAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> DataAddress.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
