package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * Two nodes of the stream network in this JVM, each listening on 127.0.0.1 on a port from the OS:
 * {@code a} produces, {@code b} consumes. Closing checks that no buffer leaked on either.
 */
final class TwoNodes implements AutoCloseable {
    final NetworkSettings settings;
    final NetworkEndpoint a;
    final NetworkEndpoint b;

    TwoNodes(NetworkSettings settings) {
        this(settings, settings);
    }

    /** Nodes with settings of their own (their TLS identities, say); {@link #settings} are a's. */
    TwoNodes(NetworkSettings forA, NetworkSettings forB) {
        this.settings = forA;
        try {
            a = NetworkEndpoint.start("a", loopback(), forA, Clock.system());
            b = NetworkEndpoint.start("b", loopback(), forB, Clock.system());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static NetworkSettings settings(int bufferSize, int buffersPerChannel, int floating) {
        return new NetworkSettings(bufferSize, buffersPerChannel, floating, Duration.ofSeconds(5));
    }

    /** Waits up to {@code timeout} for {@code condition}; fails naming {@code what}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Awaitility.await(what)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(2))
                .until(condition::getAsBoolean);
    }

    /** Asserts that both nodes have given back every buffer. */
    void assertNoBuffersHeld() {
        await(
                "every buffer back in its pool",
                Duration.ofSeconds(5),
                () -> a.bufferedBytes() == 0 && b.bufferedBytes() == 0);
        assertThat(a.bufferedBytes()).isZero();
        assertThat(b.bufferedBytes()).isZero();
    }

    @Override
    public void close() {
        b.close();
        a.close();
    }
}
