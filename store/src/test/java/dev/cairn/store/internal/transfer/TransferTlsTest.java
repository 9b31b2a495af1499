package dev.cairn.store.internal.transfer;

import static dev.cairn.store.internal.transfer.TestNodes.CLIENT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.store.internal.disk.BlockId;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block transfers over mutual TLS on loopback, with real certificates of a test CA. */
class TransferTlsTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private TestPki pki;
    private TestNodes nodes;

    @BeforeEach
    void start() throws IOException {
        pki = TestPki.under(dir.resolve("pki"));
        nodes = TestNodes.start(dir, 3, CHUNK, Duration.ofSeconds(10), i -> pki.node("store-" + i));
    }

    @AfterEach
    void stop() throws IOException {
        nodes.close();
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static PipelineAck write(BlockId id, List<DataAddress> pipeline, byte[] data, TransportSecurity s)
            throws IOException {
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, pipeline, CHUNK, CLIENT_TIMEOUT, s)) {
            w.write(data, 0, data.length);
            return w.finish();
        }
    }

    @Test
    void aUserWritesThroughAPipelineOfTlsNodesAndReadsBack() throws IOException {
        TransportSecurity alice = pki.user("alice");
        byte[] data = data(3 * CHUNK + 17);
        BlockId id = new BlockId(1);
        // The first node forwards to the second and third over TLS with its own node certificate.
        assertThat(write(id, nodes.addrs(0, 1, 2), data, alice).allStored()).isTrue();
        for (int i = 0; i < 3; i++) {
            try (InputStream in = BlockFetcher.open(nodes.addr(i), id, 0, -1, CLIENT_TIMEOUT, alice)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
        BlockId two = new BlockId(2);
        assertThat(write(two, nodes.addrs(0), data, alice).allStored()).isTrue();
        PipelineAck copied = BlockFetcher.replicate(nodes.addr(0), two, nodes.addrs(1), CLIENT_TIMEOUT, alice);
        assertThat(copied.allStored()).isTrue();
        assertThat(BlockFetcher.listBlocks(nodes.addr(1), CLIENT_TIMEOUT, alice))
                .hasSize(2);
    }

    @Test
    void aPlainTextClientIsRefused() {
        assertThatThrownBy(() -> BlockFetcher.listBlocks(nodes.addr(0), CLIENT_TIMEOUT, TransportSecurity.plain()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("node " + nodes.addr(0));
    }

    @Test
    void aClientOfAnotherCaIsRefusedWithTheReason() {
        assertThatThrownBy(() -> BlockFetcher.listBlocks(nodes.addr(0), CLIENT_TIMEOUT, pki.foreignNode("intruder")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to node " + nodes.addr(0))
                .hasMessageContaining("TLS handshake");
    }

    @Test
    void aClientWithAnExpiredCertificateIsRefused() {
        assertThatThrownBy(() -> BlockFetcher.listBlocks(nodes.addr(0), CLIENT_TIMEOUT, pki.expiredNode("old")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(nodes.addr(0).toString());
    }

    @Test
    void aPlainTextRequestGetsNoPlainTextAnswer() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(
                    new InetSocketAddress(
                            InetAddress.getLoopbackAddress(), nodes.addr(0).port()),
                    5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] answer;
            try {
                answer = s.getInputStream().readAllBytes();
            } catch (SocketException reset) {
                answer = new byte[0];
            }
            // Closed, or at most a TLS alert record (content type 21): nothing in the transfer protocol.
            assertThat(answer.length == 0 || answer[0] == 21).isTrue();
        }
    }
}
