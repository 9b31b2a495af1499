package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final int BUFFER = 4096;
    private final FrameCodec codec = new FrameCodec(BUFFER);

    @Property(tries = 500)
    void everyFrameSurvivesTheWire(@ForAll("frames") List<Frame> frames) throws IOException {
        byte[] bytes = encode(frames);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        for (Frame expected : frames)
            assertThat(codec.read(in, (channel, length) -> new byte[length])).isEqualTo(expected);
        assertThatThrownBy(() -> codec.read(in, (channel, length) -> new byte[length]))
                .isInstanceOf(EOFException.class);
    }

    @Property(tries = 300)
    void aTruncatedFrameIsAnEndOfStreamNeverAnythingElse(@ForAll("frame") Frame frame, @ForAll int cutSeed)
            throws IOException {
        byte[] bytes = encode(List.of(frame));
        int cut = Math.floorMod(cutSeed, bytes.length);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(bytes, cut)));
        assertThatThrownBy(() -> codec.read(in, (channel, length) -> new byte[length]))
                .isInstanceOf(EOFException.class);
    }

    @Property(tries = 500)
    void garbageIsAProtocolErrorOrAnEndOfStream(@ForAll @Size(max = 64) byte[] garbage) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(garbage));
        try {
            while (true) codec.read(in, (channel, length) -> new byte[length]);
        } catch (ProtocolException | EOFException expected) {
            // Either is a clear end; nothing else may escape, and nothing larger than a buffer is allocated.
        } catch (IOException e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }

    @Test
    void malformedFramesSayWhatIsWrong() {
        assertThatThrownBy(() -> read(0, 0, 0, 0, 0)).hasMessageContaining("frame length 0");
        assertThatThrownBy(() -> read(0x7F, 0, 0, 0, 0)).hasMessageContaining("frame length");
        assertThatThrownBy(() -> read(0, 0, 0, 5, 99, 0, 0, 0, 1)).hasMessageContaining("unknown frame type 99");
        assertThatThrownBy(() -> read(0, 0, 0, 6, FrameCodec.CLOSE, 0, 0, 0, 1, 0))
                .hasMessageContaining("CLOSE frame of 6 bytes, expected 5");
        assertThatThrownBy(() -> read(0, 0, 0, 9, FrameCodec.CREDIT, 0, 0, 0, 1, 0, 0, 0, 0))
                .hasMessageContaining("CREDIT of 0");
        assertThatThrownBy(() -> read(0, 0, 0, 6, FrameCodec.IDLENESS, 0, 0, 0, 1, 7))
                .hasMessageContaining("IDLENESS flag 7");
    }

    @Test
    void aBufferTooLargeForThePeerIsRefusedBeforeItIsRead() {
        byte[] header = {0, 0, 0x40, 0, FrameCodec.BUFFER};
        assertThatThrownBy(
                        () -> codec.read(new DataInputStream(new ByteArrayInputStream(header)), (c, n) -> new byte[n]))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame length " + 0x4000);
    }

    @Test
    void thePreambleNamesThePeer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FrameCodec.writePreamble(new DataOutputStream(bytes), "node-a");
        assertThat(FrameCodec.readPreamble(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isEqualTo("node-a");
        assertThatThrownBy(() -> FrameCodec.readPreamble(new DataInputStream(
                        new ByteArrayInputStream(new byte[] {'H', 'T', 'T', 'P', 0, 1, 0, 1, 'x'}))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("does not speak the Cairn stream network protocol");
    }

    private Frame read(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        return codec.read(new DataInputStream(new ByteArrayInputStream(b)), (c, n) -> new byte[n]);
    }

    private byte[] encode(List<Frame> frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Frame f : frames) codec.write(out, f);
        out.flush();
        return bytes.toByteArray();
    }

    @Provide
    Arbitrary<List<Frame>> frames() {
        return frame().list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<Frame> frame() {
        Arbitrary<Integer> channel = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Integer> count = Arbitraries.integers().between(0, 1 << 20);
        Arbitrary<Long> anyLong = Arbitraries.longs();
        Arbitrary<ChannelId> id = Combinators.combine(
                        anyLong,
                        Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.integers().greaterOrEqual(0),
                        Arbitraries.integers().greaterOrEqual(0))
                .as(ChannelId::new);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(BUFFER);
        return Arbitraries.oneOf(
                Combinators.combine(channel, id, count).as(Frame.Open::new),
                Combinators.combine(channel, Arbitraries.integers().between(1, 1 << 20))
                        .as(Frame.Credit::new),
                channel.map(Frame.Close::new),
                Combinators.combine(channel, count, data)
                        .as((c, backlog, d) ->
                                new Frame.Buffer(c, backlog, Math.min(d.length, backlog % 97), ByteBuffer.wrap(d))),
                Combinators.combine(channel, anyLong).as(Frame.Watermark::new),
                Combinators.combine(channel, Arbitraries.of(true, false)).as(Frame.Idleness::new),
                Combinators.combine(channel, anyLong, anyLong).as(Frame.Barrier::new),
                channel.map(Frame.EndOfPartition::new),
                Combinators.combine(
                                Arbitraries.oneOf(channel, Arbitraries.just(Frame.NO_CHANNEL)),
                                Arbitraries.strings()
                                        .withCharRange(' ', '\u00ff')
                                        .ofMaxLength(300))
                        .as(Frame.Failure::new));
    }
}
