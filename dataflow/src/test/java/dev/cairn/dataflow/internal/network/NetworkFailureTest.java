package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A peer that dies or speaks nonsense fails the channels it carries, with errors naming them and it; nothing hangs. */
@Timeout(30)
class NetworkFailureTest {
    private static final ChannelId CHANNEL = new ChannelId(7, 1, 0, 0);
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void aConsumerNodeThatDiesFailsItsProducerNamingTheChannelAndThePeer() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 2))) {
            RemoteInputGate gate = nodes.b.gate(
                    "consumer", List.of(new RemoteInputGate.Input(CHANNEL, nodes.a.address(), Codecs.STRING)));
            RemoteChannelWriter writer = nodes.a.producer(CHANNEL, Codecs.STRING);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread producer = CreditFlowTest.start("producer", failure, () -> {
                for (long seed = 0; ; seed++)
                    ChannelScripts.produce(
                            writer, ChannelScripts.script(seed, 50, 30).subList(0, 100));
            });
            for (int i = 0; i < 100; i++) assertThat(gate.poll(BOUND.toNanos())).isNotNull();

            nodes.b.abort(); // a reset, as when the node's process is killed

            assertThat(producer.join(BOUND)).as("the producer stopped").isTrue();
            assertThat(failure.get())
                    .isInstanceOf(ChannelException.class)
                    .hasMessageContaining(CHANNEL.toString())
                    .hasMessageContaining("node b");
        }
    }

    @Test
    void aProducerNodeThatDiesFailsItsConsumerNamingTheChannelAndThePeer() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 2))) {
            RemoteInputGate gate = nodes.b.gate(
                    "consumer", List.of(new RemoteInputGate.Input(CHANNEL, nodes.a.address(), Codecs.STRING)));
            RemoteChannelWriter writer = nodes.a.producer(CHANNEL, Codecs.STRING);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CreditFlowTest.start("producer", failure, () -> {
                for (long seed = 0; ; seed++)
                    ChannelScripts.produce(
                            writer, ChannelScripts.script(seed, 50, 30).subList(0, 100));
            });
            for (int i = 0; i < 100; i++) assertThat(gate.poll(BOUND.toNanos())).isNotNull();

            nodes.a.abort();

            Throwable thrown = null;
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (thrown == null && System.nanoTime() < deadline) {
                try {
                    gate.poll(Duration.ofMillis(100).toNanos());
                } catch (ChannelException e) {
                    thrown = e;
                }
            }
            assertThat(thrown)
                    .as("the consumer failed within " + BOUND)
                    .isInstanceOf(ChannelException.class)
                    .hasMessageContaining(CHANNEL.toString())
                    .hasMessageContaining("node a");
        }
    }

    @Test
    void aConsumerThatStopsReadingEarlyReleasesItsProducerAndEveryBuffer() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 2))) {
            RemoteInputGate gate = nodes.b.gate(
                    "consumer", List.of(new RemoteInputGate.Input(CHANNEL, nodes.a.address(), Codecs.STRING)));
            RemoteChannelWriter writer = nodes.a.producer(CHANNEL, Codecs.STRING);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread producer = CreditFlowTest.start("producer", failure, () -> {
                for (long seed = 0; ; seed++)
                    ChannelScripts.produce(
                            writer, ChannelScripts.script(seed, 50, 30).subList(0, 100));
            });
            for (int i = 0; i < 100; i++) assertThat(gate.poll(BOUND.toNanos())).isNotNull();

            gate.close();

            assertThat(producer.join(BOUND)).as("the producer stopped").isTrue();
            assertThat(failure.get())
                    .isInstanceOf(ChannelException.class)
                    .hasMessageContaining("consumer node b")
                    .hasMessageContaining("closed channel " + CHANNEL);
            nodes.assertNoBuffersHeld();
            assertThat(nodes.b.connectionCount())
                    .as("the connection stays up for other channels")
                    .isEqualTo(1);
        }
    }

    @Test
    void aMalformedFrameIsAnsweredWithAnErrorAndTheConnectionClosed() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 2));
                Socket raw = new Socket()) {
            raw.connect(nodes.a.address(), 5_000);
            raw.setSoTimeout((int) BOUND.toMillis());
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            DataInputStream in = new DataInputStream(raw.getInputStream());
            FrameCodec.writePreamble(out, "raw");
            out.flush();
            assertThat(FrameCodec.readPreamble(in)).isEqualTo("a");

            out.writeInt(5);
            out.writeByte(99); // no such frame type
            out.writeInt(0);
            out.flush();

            Frame answer = new FrameCodec(1024).read(in, (c, n) -> new byte[n]);
            assertThat(answer).isInstanceOf(Frame.Failure.class);
            assertThat(((Frame.Failure) answer).channel()).isEqualTo(Frame.NO_CHANNEL);
            assertThat(((Frame.Failure) answer).message())
                    .contains("malformed frame from node raw")
                    .contains("unknown frame type 99");
            assertThat(in.read()).as("then the connection is closed").isEqualTo(-1);
        }
    }

    @Test
    void aProducerSendingWithoutCreditFailsTheChannelAndIsCutOff() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 0));
                ServerSocket fake = new ServerSocket()) {
            fake.bind(TwoNodes.loopback());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Frame> answer = new AtomicReference<>();
            Thread producer = CreditFlowTest.start("fake producer", failure, () -> {
                try (Socket s = fake.accept()) {
                    s.setSoTimeout((int) BOUND.toMillis());
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    FrameCodec codec = new FrameCodec(1024);
                    FrameCodec.readPreamble(in);
                    FrameCodec.writePreamble(out, "fake");
                    Frame.Open open = (Frame.Open) codec.read(in, (c, n) -> new byte[n]);
                    for (int i = 0; i <= open.credits(); i++) // one more than granted
                    codec.write(out, new Frame.Buffer(open.channel(), 0, 0, ByteBuffer.wrap(new byte[0])));
                    out.flush();
                    Frame f;
                    do f = codec.read(in, (c, n) -> new byte[n]);
                    while (!(f instanceof Frame.Failure));
                    answer.set(f);
                    try {
                        codec.read(in, (c, n) -> new byte[n]);
                        throw new AssertionError("the connection stayed open");
                    } catch (EOFException | SocketException closed) {
                        // expected
                    }
                }
            });
            RemoteInputGate gate = nodes.b.gate(
                    "consumer",
                    List.of(new RemoteInputGate.Input(
                            CHANNEL, (InetSocketAddress) fake.getLocalSocketAddress(), Codecs.STRING)));
            // The consumer takes nothing meanwhile, so no credit is granted beyond the first ones.
            assertThat(producer.join(BOUND))
                    .as("the fake producer was answered and cut off")
                    .isTrue();
            assertThat(failure.get()).isNull();
            Throwable thrown = null;
            try {
                gate.poll(BOUND.toNanos());
            } catch (ChannelException e) {
                thrown = e;
            }
            assertThat(thrown)
                    .isInstanceOf(ChannelException.class)
                    .hasMessageContaining(CHANNEL.toString())
                    .hasMessageContaining("node fake")
                    .hasMessageContaining("without credit");
            assertThat(((Frame.Failure) answer.get()).message()).contains("without credit");
        }
    }
}
