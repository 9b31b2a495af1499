package dev.cairn.store.internal.transfer;

import static dev.cairn.store.internal.transfer.PipelineWriteTest.randomBytes;
import static dev.cairn.store.internal.transfer.TestNodes.CLIENT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed, hostile and vanishing peers: each costs its own connection, never the server. */
class ProtocolRobustnessTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private TestNodes nodes;

    @BeforeEach
    void start() throws IOException {
        nodes = TestNodes.start(dir, 3, CHUNK, Duration.ofSeconds(5));
    }

    @AfterEach
    void close() throws IOException {
        nodes.close();
    }

    /** A raw connection: no preamble sent. */
    private record Raw(Socket socket, DataInputStream in, DataOutputStream out) implements AutoCloseable {
        static Raw connect(DataAddress a) throws IOException {
            Socket s = new Socket(a.host(), a.port());
            s.setSoTimeout(5000);
            return new Raw(s, new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()));
        }

        Raw preamble() throws IOException {
            out.writeInt(Wire.MAGIC);
            out.writeShort(Wire.VERSION);
            return this;
        }

        /** Reads the server's preamble reply; returns its message, or null if it is OK. */
        String preambleReply() throws IOException {
            assertThat(in.readInt()).isEqualTo(Wire.MAGIC);
            assertThat(in.readUnsignedShort()).isEqualTo(Wire.VERSION);
            return status();
        }

        /** Reads a reply status; returns its message, or null if it is OK. */
        String status() throws IOException {
            int status = in.readUnsignedByte();
            return status == Wire.OK ? null : status + ": " + in.readUTF();
        }

        /** Reads until the server closes; fails if it does not within the socket timeout. */
        void assertClosedByServer() throws IOException {
            byte[] scratch = new byte[4096];
            for (int total = 0; total < 1 << 20; ) {
                int n = in.read(scratch);
                if (n < 0) return;
                total += n;
            }
            throw new AssertionError("the server kept sending");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private void assertServing(int node) throws IOException {
        assertThat(BlockFetcher.status(nodes.addr(node), CLIENT_TIMEOUT).freeBytes())
                .isPositive();
    }

    @Test
    void anotherProtocolIsAnsweredAndClosed() throws IOException {
        try (Raw r = Raw.connect(nodes.addr(0))) {
            r.out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.preambleReply())
                    .startsWith(Wire.BAD_REQUEST + ": ")
                    .contains("not the Cairn transfer protocol");
            r.assertClosedByServer();
        }
        assertServing(0);
    }

    @Test
    void anotherVersionIsAnsweredAndClosed() throws IOException {
        try (Raw r = Raw.connect(nodes.addr(0))) {
            r.out.writeInt(Wire.MAGIC);
            r.out.writeShort(99);
            assertThat(r.preambleReply()).contains("version 99", "speaks " + Wire.VERSION);
            r.assertClosedByServer();
        }
        assertServing(0);
    }

    @Test
    void anUnknownOpcodeIsAnsweredAndClosed() throws IOException {
        try (Raw r = Raw.connect(nodes.addr(0)).preamble()) {
            r.out.writeByte(99);
            assertThat(r.preambleReply()).isNull();
            assertThat(r.status()).isEqualTo(Wire.BAD_REQUEST + ": unknown opcode 99");
            r.assertClosedByServer();
        }
        assertServing(0);
    }

    @Test
    void oversizeFieldsAreRefusedBeforeAnythingIsAllocated() throws IOException {
        List<String> replies = new ArrayList<>();
        for (int kind = 0; kind < 4; kind++) {
            try (Raw r = Raw.connect(nodes.addr(0)).preamble()) {
                switch (kind) {
                    case 0 -> new Request.WriteBlock(new BlockId(1), 1 << 30, List.of()).write(r.out);
                    case 1 -> {
                        r.out.writeByte(Wire.DELETE_BLOCKS);
                        r.out.writeInt(Integer.MAX_VALUE);
                    }
                    case 2 -> {
                        List<DataAddress> many = new ArrayList<>();
                        for (int i = 0; i < 20; i++) many.add(new DataAddress("h" + i, 1));
                        new Request.WriteBlock(new BlockId(1), CHUNK, many).write(r.out);
                    }
                    default -> {
                        new Request.WriteBlock(new BlockId(1), CHUNK, List.of()).write(r.out);
                        r.out.writeInt(CHUNK + 1);
                    }
                }
                assertThat(r.preambleReply()).isNull();
                replies.add(r.status());
                r.assertClosedByServer();
            }
        }
        assertThat(replies.get(0)).contains("chunk size 1073741824");
        assertThat(replies.get(1)).contains("at most " + Wire.MAX_IDS);
        assertThat(replies.get(2)).contains("20 nodes", "at most " + (Wire.MAX_PIPELINE - 1));
        assertThat(replies.get(3)).contains("chunk of " + (CHUNK + 1) + " bytes");
        nodes.awaitNoTmpFiles();
        assertThat(nodes.store(0).contains(new BlockId(1))).isFalse();
        assertServing(0);
    }

    @Test
    void randomBytesNeverTakeTheServerDown() throws IOException {
        Random random = new Random(42);
        for (int round = 0; round < 60; round++) {
            try (Raw r = Raw.connect(nodes.addr(0))) {
                // A third of the rounds is garbage from the start; a third gets past the preamble;
                // a third also sends a valid opcode, so the garbage lands in a request's fields.
                if (round % 3 > 0) r.preamble();
                if (round % 3 == 2) r.out.writeByte(Wire.WRITE_BLOCK + random.nextInt(Wire.REPLICATE));
                r.out.write(randomBytes(random, random.nextInt(300)));
                r.socket.shutdownOutput();
                r.assertClosedByServer();
            }
        }
        assertServing(0);
    }

    @Test
    void aRequestCutShortIsDropped() throws IOException {
        try (Raw r = Raw.connect(nodes.addr(0)).preamble()) {
            r.out.writeByte(Wire.WRITE_BLOCK);
            r.out.writeInt(7);
            r.socket.shutdownOutput();
            r.assertClosedByServer();
        }
        assertServing(0);
    }

    @Test
    void connectionsBeyondTheLimitAreRefused(@TempDir Path other) throws IOException {
        try (LocalBlockStore store = LocalBlockStore.open(LocalBlockStore.Options.of(List.of(other)));
                BlockServer server = BlockServer.start(
                        store, "127.0.0.1", 0, BlockServer.Options.defaults().withMaxConnections(1));
                Raw first = Raw.connect(server.address()).preamble()) {
            TestNodes.awaitTrue("the first connection is served", () -> server.connectionCount() == 1);
            try (Raw second = Raw.connect(server.address()).preamble()) {
                assertThat(second.preambleReply()).contains("busy");
                second.assertClosedByServer();
            }
            new Request.Status().write(first.out);
            assertThat(first.preambleReply()).isNull();
            assertThat(first.status()).isNull();
        }
    }

    @Test
    void closingAServerMidBlockAbortsTheBlockOnEveryNode() throws IOException {
        Random random = new Random(7);
        BlockId id = new BlockId(7);
        try (BlockPipelineWriter w = BlockPipelineWriter.open(id, nodes.addrs(0, 1, 2), CHUNK, CLIENT_TIMEOUT)) {
            w.write(randomBytes(random, 3 * CHUNK), 0, 3 * CHUNK);
            TestNodes.awaitTrue("node 2 receives the block", () -> {
                try {
                    return !nodes.tmpFiles(2).isEmpty();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });

            nodes.stop(0);

            assertThat(nodes.tmpFiles(0)).isEmpty(); // close() waited for its connections to clean up
            nodes.awaitNoTmpFiles();
            assertThatThrownBy(w::finish).isInstanceOf(IOException.class);
        }
        for (int i = 0; i < 3; i++) assertThat(nodes.store(i).contains(id)).isFalse();
    }
}
