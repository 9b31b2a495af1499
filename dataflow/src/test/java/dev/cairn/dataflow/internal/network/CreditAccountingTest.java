package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consumer's side of the credit protocol, frame by frame, against a scripted producer on a
 * raw socket: exclusive credits first, floating ones lent to a backlog, floating buffers going
 * back to the gate before exclusive ones are granted again.
 */
@Timeout(30)
class CreditAccountingTest {
    private static final ChannelId CHANNEL = new ChannelId(3, 0, 0, 0);
    private static final long WAIT = Duration.ofSeconds(10).toNanos();

    @Test
    void floatingBuffersAreLentToABacklogAndReturnedFirst() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(1024, 2, 4));
                ServerSocket fake = new ServerSocket()) {
            fake.bind(TwoNodes.loopback());
            FrameCodec codec = new FrameCodec(1024);
            AtomicReference<RemoteInputGate> gateRef = new AtomicReference<>();
            Thread opener = Thread.ofVirtual().start(() -> {
                try {
                    gateRef.set(nodes.b.gate(
                            "consumer",
                            List.of(new RemoteInputGate.Input(
                                    CHANNEL, (InetSocketAddress) fake.getLocalSocketAddress(), Codecs.STRING))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (Socket s = fake.accept()) {
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                FrameCodec.readPreamble(in);
                FrameCodec.writePreamble(out, "scripted");
                out.flush();
                Frame.Open opened = (Frame.Open) codec.read(in, (c, n) -> new byte[n]);
                assertThat(opened.id()).isEqualTo(CHANNEL);
                assertThat(opened.credits()).as("B exclusive credits").isEqualTo(2);
                assertThat(opener.join(Duration.ofSeconds(10))).isTrue();
                RemoteInputGate gate = gateRef.get();
                int ch = opened.channel();

                // One buffer with 5 more behind it: the gate lends all 4 floating buffers.
                send(codec, out, new Frame.Buffer(ch, 5, 0, ByteBuffer.allocate(0)));
                assertThat(codec.read(in, (c, n) -> new byte[n])).isEqualTo(new Frame.Credit(ch, 4));

                // 5 more (now 6 sent against 2 + 4 credits), then take all 6: the 4 floating
                // buffers go back to the gate, the 2 exclusive ones are granted again.
                for (int i = 0; i < 5; i++) send(codec, out, new Frame.Buffer(ch, 4 - i, 0, ByteBuffer.allocate(0)));
                TwoNodes.await("6 buffers held", Duration.ofSeconds(10), () -> gate.heldBuffers() == 6);
                for (int i = 0; i < 6; i++) assertThat(gate.poll(WAIT)).isInstanceOf(ChannelEvent.RecordBatch.class);
                assertThat(codec.read(in, (c, n) -> new byte[n])).isEqualTo(new Frame.Credit(ch, 1));
                assertThat(codec.read(in, (c, n) -> new byte[n])).isEqualTo(new Frame.Credit(ch, 1));
                assertThat(gate.peakHeldBuffers()).isEqualTo(6);
                assertThat(gate.heldBuffers()).isZero();

                // The end takes a credit too, and nothing is granted after it.
                send(codec, out, new Frame.EndOfPartition(ch));
                assertThat(gate.poll(WAIT)).isEqualTo(new ChannelEvent.EndOfPartition(0));
                nodes.b.close();
                Frame last;
                do last = codec.read(in, (c, n) -> new byte[n]);
                while (!(last instanceof Frame.Failure));
                assertThat(((Frame.Failure) last).message()).contains("node b shut down");
            }
            nodes.assertNoBuffersHeld();
        }
    }

    private static void send(FrameCodec codec, DataOutputStream out, Frame frame) throws IOException {
        codec.write(out, frame);
        out.flush();
    }
}
