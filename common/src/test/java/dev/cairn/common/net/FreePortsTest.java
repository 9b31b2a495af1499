package dev.cairn.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    private static final String HOST = "127.0.0.1";

    @Test
    void portsComeFromOutsideTheEphemeralRangeAndAreDistinctAndBindable() throws IOException {
        var range = Optional.of(new FreePorts.Range(32_768, 60_999));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = FreePorts.pick(HOST, range, new SplittableRandom(i % 3)); // same seeds repeat candidates
            assertThat(port).isBetween(FreePorts.LOWEST, 65_535);
            assertThat(port < 32_768 || port > 60_999)
                    .as("port %d is outside the ephemeral range", port)
                    .isTrue();
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.pick(HOST);
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(HOST, port));
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void theOsRangeIsReadWhereThereIsOne() {
        assumeTrue(Files.isReadable(Path.of("/proc/sys/net/ipv4/ip_local_port_range")), "Linux procfs");
        FreePorts.Range range = FreePorts.ephemeralRange().orElseThrow();
        assertThat(range.low()).isBetween(1_024, 65_535);
        assertThat(range.high()).isBetween(range.low(), 65_535);
    }

    @Test
    void aPortInUseIsNotPicked() throws IOException {
        // The only candidates are 10000..10999 plus nothing above 65535: occupy one and pick them all.
        var range = Optional.of(new FreePorts.Range(11_000, 65_535));
        try (ServerSocket busy = new ServerSocket()) {
            busy.setReuseAddress(true);
            int taken = -1;
            for (int p = 10_000; p < 11_000 && taken < 0; p++) {
                try {
                    busy.bind(new InetSocketAddress(HOST, p));
                    taken = p;
                } catch (IOException inUse) {
                    // try the next
                }
            }
            assertThat(taken).isPositive();
            var random = new SplittableRandom(7);
            for (int i = 0; i < 50; i++)
                assertThat(FreePorts.pick(HOST, range, random)).isNotEqualTo(taken);
        }
    }

    @Test
    void withNoRoomOutsideTheRangeTheOsChooses() throws IOException {
        int port = FreePorts.pick(HOST, Optional.of(new FreePorts.Range(1_024, 65_535)), new SplittableRandom(1));
        assertThat(port).isPositive();
        assertThat(FreePorts.pick(HOST, Optional.empty(), new SplittableRandom(1)))
                .isPositive()
                .isNotEqualTo(port);
    }
}
