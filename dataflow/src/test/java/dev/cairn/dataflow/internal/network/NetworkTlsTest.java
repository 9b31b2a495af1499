package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stream exchange over mutual TLS on loopback, with real certificates of a test CA. */
@Timeout(60)
class NetworkTlsTest {
    private static final NetworkSettings BASE = TwoNodes.settings(4096, 2, 2);

    @TempDir
    Path dir;

    private TestPki pki;

    @BeforeEach
    void certificates() {
        pki = TestPki.under(dir);
    }

    @Test
    void channelsBetweenTwoTlsNodesCarryEveryRecordInOrder() throws Exception {
        try (TwoNodes nodes = new TwoNodes(BASE.withSecurity(pki.node("a")), BASE.withSecurity(pki.node("b")))) {
            List<RemoteInputGate.Input> inputs = new ArrayList<>();
            List<List<ChannelEvent>> scripts = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                inputs.add(new RemoteInputGate.Input(new ChannelId(1, 1, p, 0), nodes.a.address(), Codecs.STRING));
                scripts.add(ChannelScripts.script(77 + p, 200, 60));
            }
            RemoteInputGate gate = nodes.b.gate("consumer", inputs);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                RemoteChannelWriter w = nodes.a.producer(inputs.get(p).id(), Codecs.STRING);
                List<ChannelEvent> script = scripts.get(p);
                producers.add(CreditFlowTest.start("producer " + p, failure, () -> ChannelScripts.produce(w, script)));
            }
            List<List<String>> perChannel = new ArrayList<>();
            for (int p = 0; p < 3; p++) perChannel.add(new ArrayList<>());
            int ended = 0;
            while (ended < 3) {
                ChannelEvent e = gate.poll(Duration.ofSeconds(10).toNanos());
                assertThat(e).as("an event within 10 s").isNotNull();
                ChannelScripts.addLines(e, perChannel.get(e.channel()));
                if (e instanceof ChannelEvent.EndOfPartition) ended++;
            }
            for (Thread t : producers)
                assertThat(t.join(Duration.ofSeconds(10))).isTrue();
            assertThat(failure.get()).isNull();
            for (int p = 0; p < 3; p++) assertThat(perChannel.get(p)).isEqualTo(ChannelScripts.lines(scripts.get(p)));
            nodes.assertNoBuffersHeld();
        }
    }

    private static List<RemoteInputGate.Input> oneInputFrom(NetworkEndpoint producer) {
        return List.of(new RemoteInputGate.Input(new ChannelId(1, 1, 0, 0), producer.address(), Codecs.STRING));
    }

    @Test
    void aNodeOfAnotherCaCannotConnect() throws IOException {
        try (NetworkEndpoint ours = NetworkEndpoint.start(
                        "ours", TwoNodes.loopback(), BASE.withSecurity(pki.node("ours")), Clock.system());
                NetworkEndpoint intruder = NetworkEndpoint.start(
                        "intruder", TwoNodes.loopback(), BASE.withSecurity(pki.foreignNode("x")), Clock.system())) {
            assertThatThrownBy(() -> intruder.gate("g", oneInputFrom(ours)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("node intruder cannot connect to node at " + ours.address())
                    .hasMessageContaining("TLS handshake");
        }
    }

    @Test
    void aPlainTextNodeCannotConnect() throws IOException {
        try (NetworkEndpoint ours = NetworkEndpoint.start(
                        "ours", TwoNodes.loopback(), BASE.withSecurity(pki.node("ours")), Clock.system());
                NetworkEndpoint plain = NetworkEndpoint.start("plain", TwoNodes.loopback(), BASE, Clock.system())) {
            assertThatThrownBy(() -> plain.gate("g", oneInputFrom(ours)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("node plain cannot connect to node at " + ours.address());
        }
    }

    @Test
    void aNodeWithAnExpiredCertificateCannotConnect() throws IOException {
        try (NetworkEndpoint ours = NetworkEndpoint.start(
                        "ours", TwoNodes.loopback(), BASE.withSecurity(pki.node("ours")), Clock.system());
                NetworkEndpoint old = NetworkEndpoint.start(
                        "old", TwoNodes.loopback(), BASE.withSecurity(pki.expiredNode("old")), Clock.system())) {
            assertThatThrownBy(() -> old.gate("g", oneInputFrom(ours)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("node old cannot connect to node at " + ours.address());
        }
    }

    @Test
    void aPlainTextRequestGetsNoPlainTextAnswer() throws IOException {
        TransportSecurity security = pki.node("ours");
        try (NetworkEndpoint ours = NetworkEndpoint.start(
                        "ours", TwoNodes.loopback(), BASE.withSecurity(security), Clock.system());
                Socket s = new Socket()) {
            s.connect(ours.address(), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] answer;
            try {
                answer = s.getInputStream().readAllBytes();
            } catch (SocketException reset) {
                answer = new byte[0];
            }
            assertThat(answer.length == 0 || answer[0] == 21).isTrue();
        }
    }
}
