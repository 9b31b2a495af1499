package dev.cairn.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.GrpcService;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC over mutual TLS on loopback with real certificates: who may call, and who the server sees. */
class RpcTlsTest {
    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("cairn.test.Who/Who")
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    @TempDir
    Path dir;

    private TestPki pki;

    @BeforeEach
    void certificates() {
        pki = TestPki.under(dir);
    }

    /** A service answering with the caller the server authenticated, or "nobody". */
    private static RpcService who() {
        return new GrpcService(ServerServiceDefinition.builder("cairn.test.Who")
                .addMethod(
                        WHO,
                        ServerCalls.asyncUnaryCall((request, observer) -> Rpc.reply(
                                observer,
                                () -> RpcCaller.current().map(Object::toString).orElse("nobody"))))
                .build());
    }

    private static String call(RpcServer server, TransportSecurity client) {
        try (Channels channels = new Channels(client)) {
            return Rpc.call(
                    server.endpoint(),
                    "Who",
                    () -> ClientCalls.blockingUnaryCall(
                            channels.get(server.endpoint()),
                            WHO,
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                            "hi"));
        }
    }

    @Test
    void aClientWithACertificateOfTheClusterIsServedAndKnownByName() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"))) {
            assertThat(call(server, pki.user("alice"))).isEqualTo("user alice");
            assertThat(call(server, pki.node("worker-1"))).isEqualTo("node worker-1");
        }
    }

    @Test
    void aPlainServerKnowsNoCaller() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()))) {
            assertThat(call(server, TransportSecurity.plain())).isEqualTo("nobody");
        }
    }

    @Test
    void aPlainTextClientIsRefused() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"))) {
            assertThatThrownBy(() -> call(server, TransportSecurity.plain()))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
        }
    }

    @Test
    void aClientOfAnotherClustersCaIsRefused() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"))) {
            assertThatThrownBy(() -> call(server, pki.foreignNode("intruder")))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
        }
    }

    @Test
    void aClientWithAnExpiredCertificateIsRefused() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"))) {
            assertThatThrownBy(() -> call(server, pki.expiredNode("old")))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
        }
    }

    @Test
    void aPlainTextRequestGetsNoPlainTextAnswer() throws IOException {
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"));
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] answer = readAll(s.getInputStream());
            // Netty closes the connection; at most a TLS alert record (content type 21) comes back.
            assertThat(answer.length == 0 || answer[0] == 21)
                    .as("answer %s", new String(answer, StandardCharsets.ISO_8859_1))
                    .isTrue();
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.net.SocketException reset) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server accepting the tokens in {@code book} from clients without a certificate. */
    private RpcServer tokenServer(Map<String, TokenRecord> book) throws IOException {
        return RpcServer.start(
                "127.0.0.1",
                0,
                List.of(who()),
                pki.node("server"),
                new SimpleMeterRegistry(),
                Optional.of(new BearerTokens(id -> Optional.ofNullable(book.get(id)), Clock.system())));
    }

    private TransportSecurity withToken(AccessToken token) throws IOException {
        return TransportSecurity.token(pki.layout().caCertificate(), token);
    }

    @Test
    void aTokenServerRefusesAClientWithNeitherCertificateNorToken() throws IOException {
        try (RpcServer server = tokenServer(Map.of())) {
            // A channel that speaks TLS without a certificate and sends no authorization.
            var noToken = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                            "127.0.0.1",
                            server.port(),
                            io.grpc.TlsChannelCredentials.newBuilder()
                                    .trustManager(dev.cairn.common.security.TlsMaterial.trustOnly(
                                            pki.layout().caCertificate()))
                                    .build())
                    .build();
            try {
                assertThatThrownBy(() -> Rpc.call(
                                server.endpoint(),
                                "Who",
                                () -> ClientCalls.blockingUnaryCall(
                                        noToken,
                                        WHO,
                                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                                        "hi")))
                        .isInstanceOf(RemoteException.class)
                        .hasMessage(BearerTokens.NO_CREDENTIALS)
                        .extracting(e -> ((RemoteException) e).code())
                        .isEqualTo("UNAUTHENTICATED");
            } finally {
                noToken.shutdownNow();
            }
        }
    }

    @Test
    void aTokenServerServesAValidTokenAsItsUserAndRefusesItOnceRevoked() throws IOException {
        Map<String, TokenRecord> book = new ConcurrentHashMap<>();
        AccessToken token = AccessToken.generate(new SecureRandom());
        Instant now = Instant.now();
        book.put(token.id(), TokenRecord.of(token, "carol", now, now.plus(Duration.ofDays(1))));
        try (RpcServer server = tokenServer(book)) {
            assertThat(call(server, withToken(token))).isEqualTo("user carol");
            // Certificates still work beside tokens.
            assertThat(call(server, pki.user("alice"))).isEqualTo("user alice");
            assertThatThrownBy(() -> call(server, withToken(AccessToken.generate(new SecureRandom()))))
                    .isInstanceOf(RemoteException.class)
                    .hasMessage(BearerTokens.UNKNOWN);
            book.computeIfPresent(token.id(), (id, r) -> r.revokedAt(Instant.now()));
            assertThatThrownBy(() -> call(server, withToken(token)))
                    .isInstanceOf(RemoteException.class)
                    .hasMessage(BearerTokens.REVOKED)
                    .hasMessageNotContaining(token.text());
        }
    }

    @Test
    void aTokenServerStillRefusesCertificatesOfAnotherCaOrExpiredOnes() throws IOException {
        try (RpcServer server = tokenServer(Map.of())) {
            assertThatThrownBy(() -> call(server, pki.foreignNode("intruder")))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
            assertThatThrownBy(() -> call(server, pki.expiredNode("old")))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
        }
    }

    @Test
    void aServerWithoutTokensRefusesATokenClientAtTheHandshake() throws IOException {
        AccessToken token = AccessToken.generate(new SecureRandom());
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(who()), pki.node("server"))) {
            assertThatThrownBy(() -> call(server, withToken(token)))
                    .isInstanceOf(RpcUnavailableException.class)
                    .hasMessageContaining("cannot reach " + server.endpoint());
        }
    }

    private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
