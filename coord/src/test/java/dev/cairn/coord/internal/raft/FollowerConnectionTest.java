package dev.cairn.coord.internal.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.security.TransportSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyServerRequestProto;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leader's connection to a follower, against a socket that plays the follower's side of Ratis' Netty framing. */
class FollowerConnectionTest {
    private ServerSocket follower;
    private volatile boolean overdue;
    private final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();
    private final List<FollowerConnection> closedOnes = new CopyOnWriteArrayList<>();
    private final FollowerConnection.Listener listener = new FollowerConnection.Listener() {
        @Override
        public void onReply(FollowerConnection connection, AppendEntriesReplyProto reply) {
            heard.add(reply.getServerReply().getCallId());
        }

        @Override
        public boolean isOverdue(FollowerConnection connection) {
            return overdue;
        }

        @Override
        public void onClosed(FollowerConnection connection, IOException cause) {
            closedOnes.add(connection);
            heard.add(cause);
        }
    };

    @BeforeEach
    void listen() throws IOException {
        follower = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        follower.close();
    }

    private FollowerConnection connect() throws IOException {
        FollowerConnection c = FollowerConnection.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), follower.getLocalPort()),
                TransportSecurity.plain(),
                5_000,
                50,
                listener,
                "test-replies");
        c.start();
        return c;
    }

    private static AppendEntriesRequestProto request(long callId) {
        return AppendEntriesRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder().setCallId(callId))
                .build();
    }

    private static RaftNettyServerReplyProto reply(long callId) {
        return RaftNettyServerReplyProto.newBuilder()
                .setAppendEntriesReply(AppendEntriesReplyProto.newBuilder()
                        .setServerReply(
                                RaftRpcReplyProto.newBuilder().setCallId(callId).setSuccess(true)))
                .build();
    }

    @Test
    void pipelinedRequestsArriveInOrderAndEachReplyReachesTheListener() throws Exception {
        try (FollowerConnection c = connect();
                Socket peer = follower.accept()) {
            for (long id = 1; id <= 5; id++) c.send(request(id));
            InputStream in = peer.getInputStream();
            OutputStream out = peer.getOutputStream();
            for (long id = 1; id <= 5; id++) {
                RaftNettyServerRequestProto got = RaftNettyServerRequestProto.parseDelimitedFrom(in);
                assertThat(got.getAppendEntriesRequest().getServerRequest().getCallId())
                        .isEqualTo(id);
            }
            for (long id = 1; id <= 5; id++) reply(id).writeDelimitedTo(out);
            out.flush();
            for (long id = 1; id <= 5; id++)
                assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(id);
            assertThat(closedOnes).isEmpty();
        }
    }

    @Test
    void aFollowerThatClosesTheConnectionIsNoticedAtOnceAndOnlyOnce() throws Exception {
        FollowerConnection c = connect();
        try (Socket peer = follower.accept()) {
            c.send(request(1));
        }
        assertThat(heard.poll(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> c.send(request(2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
        c.close();
        assertThat(closedOnes).containsExactly(c);
    }

    @Test
    void anErrorReplyEndsTheConnectionWithTheFollowersException() throws Exception {
        try (FollowerConnection c = connect();
                Socket peer = follower.accept()) {
            c.send(request(1));
            RaftNettyServerRequestProto.parseDelimitedFrom(peer.getInputStream());
            RaftNettyServerReplyProto.newBuilder()
                    .setExceptionReply(RaftNettyExceptionReplyProto.newBuilder()
                            .setRpcReply(RaftRpcReplyProto.newBuilder().setCallId(1))
                            .setException(
                                    ProtoUtils.writeObject2ByteString(new ServerNotReadyException("still starting"))))
                    .build()
                    .writeDelimitedTo(peer.getOutputStream());
            assertThat(heard.poll(10, TimeUnit.SECONDS))
                    .isInstanceOf(ServerNotReadyException.class)
                    .extracting(o -> ((Exception) o).getMessage())
                    .isEqualTo("still starting");
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    void aSilentFollowerIsCutOnceTheListenerSaysARequestIsOverdueNotBefore() throws Exception {
        try (FollowerConnection c = connect();
                Socket peer = follower.accept()) {
            c.send(request(1));
            // Silence alone is fine (an idle connection, or a slow disk): the reader keeps waiting.
            assertThat(heard.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(c.isOpen()).isTrue();
            overdue = true;
            assertThat(heard.poll(10, TimeUnit.SECONDS))
                    .isInstanceOf(IOException.class)
                    .extracting(o -> ((Exception) o).getMessage())
                    .asString()
                    .contains("request timeout");
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    void aFrameLongerThanAllowedEndsTheConnectionWithoutAllocatingIt() throws Exception {
        try (FollowerConnection c = connect();
                Socket peer = follower.accept()) {
            // A varint of 1 GiB: refused from the header alone.
            peer.getOutputStream().write(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04});
            peer.getOutputStream().flush();
            assertThat(heard.poll(10, TimeUnit.SECONDS))
                    .isInstanceOf(IOException.class)
                    .extracting(o -> ((Exception) o).getMessage())
                    .asString()
                    .contains("bad frame length");
        }
    }

    @Test
    void garbageFromTheFollowerEndsTheConnection() throws Exception {
        try (FollowerConnection c = connect();
                Socket peer = follower.accept()) {
            peer.getOutputStream()
                    .write(new byte[] {5, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            peer.getOutputStream().flush();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    void noFollowerListeningFailsTheOpen() throws IOException {
        int port = follower.getLocalPort();
        follower.close();
        assertThatThrownBy(() -> FollowerConnection.open(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        TransportSecurity.plain(),
                        5_000,
                        50,
                        listener,
                        "test-replies"))
                .isInstanceOf(IOException.class);
    }
}
