package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.config.Config;
import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import dev.cairn.coord.CoordService;
import dev.cairn.node.internal.NodeCoordination;
import dev.cairn.node.internal.ops.NodeMetrics;
import dev.cairn.node.internal.ops.OpsServer;
import dev.cairn.node.internal.ops.OpsSources;
import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.RpcCaller;
import dev.cairn.rpc.RpcServer;
import dev.cairn.rpc.RpcService;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens end to end within one JVM, with real TLS and a real secure coord: an admin makes and
 * revokes them in coord, a node's watch-backed cache sees the change, and an RPC server and an
 * HTTPS server taking tokens serve a client without a certificate as the token's user until the
 * token is revoked. A revocation takes effect within the watch's round trip: the tests give it
 * {@value #REVOCATION_BOUND_SECONDS} s.
 */
class TokenAuthTest {
    private static final long REVOCATION_BOUND_SECONDS = 5;

    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("cairn.test.Who/Who")
            .setRequestMarshaller(new Utf8())
            .setResponseMarshaller(new Utf8())
            .build();

    @TempDir
    Path dir;

    private TestPki pki;
    private CoordService coord;
    private NodeCoordination node;
    private BearerTokens tokens;

    @BeforeEach
    void start() throws Exception {
        pki = TestPki.under(dir);
        TransportSecurity coordSecurity = pki.node("n1");
        pki.node("n2");
        pki.user("admin");
        pki.user("alice");
        Config config = Config.defaults(NodeConfig.DEF)
                .with(CoordConfig.RAFT_PORT, 0)
                .with(CoordConfig.CLIENT_PORT, 0)
                .with(CoordConfig.ELECTION_TIMEOUT, Duration.ofMillis(300));
        coord = CoordService.start(
                CoordService.Settings.from(
                        config, "n1", "127.0.0.1", dir.resolve("coord"), coordSecurity, List.of("admin")),
                Clock.system());
        node = NodeCoordination.connect(
                coord.clientEndpoint(),
                Duration.ofSeconds(10),
                NodeCoordination.tls(pki.layout().node("n2"), pki.layout().caCertificate()));
        tokens = new BearerTokens(node.tokens(), Clock.system());
    }

    @AfterEach
    void stop() {
        if (node != null) node.close();
        if (coord != null) coord.close();
    }

    /** The tokens in coord, as {@code user}'s certificate may see them. */
    private AccessTokens as(String user) throws IOException {
        return AccessTokens.connect(
                coord.clientEndpoint(),
                CoordClientSecurity.zooKeeperProperties(
                        pki.layout().user(user), pki.layout().caCertificate()),
                Duration.ofSeconds(30));
    }

    private AccessToken create(String user) throws IOException {
        try (AccessTokens admin = as("admin")) {
            return admin.create(user, Duration.ofDays(7), Clock.system(), new SecureRandom());
        }
    }

    private void revoke(AccessToken token) throws IOException {
        try (AccessTokens admin = as("admin")) {
            admin.revoke(token.id(), Clock.system());
        }
    }

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

    private TransportSecurity withToken(AccessToken token) throws IOException {
        return TransportSecurity.token(pki.layout().caCertificate(), token);
    }

    @Test
    void onlyAnAdminMayReadOrMakeTokensAndCoordKeepsNoSecret() throws Exception {
        AccessToken token = create("carol");
        String secret = token.text().substring(token.text().indexOf('.') + 1);
        try (AccessTokens admin = as("admin")) {
            List<TokenRecord> listed = admin.list();
            assertThat(listed).extracting(TokenRecord::id).containsExactly(token.id());
            assertThat(listed.getFirst().toString()).doesNotContain(secret);
            // What coord holds, read back: the hash of the secret, never the secret.
            assertThat(new String(listed.getFirst().encode(), StandardCharsets.UTF_8))
                    .doesNotContain(secret);
        }
        // A stock ZooKeeper client of another user reads nothing below the tokens' znode.
        ZKClientConfig config = new ZKClientConfig();
        CoordClientSecurity.zooKeeperProperties(
                        pki.layout().user("alice"), pki.layout().caCertificate())
                .forEach(config::setProperty);
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper alice = new ZooKeeper(
                coord.clientEndpoint(),
                30_000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                config);
        try {
            assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> alice.getData(AccessTokens.PATH + "/" + token.id(), false, null))
                    .isInstanceOf(KeeperException.NoAuthException.class);
            assertThatThrownBy(() -> alice.getChildren(AccessTokens.PATH, false))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        } finally {
            alice.close();
        }
        try (AccessTokens asAlice = as("alice")) {
            assertThatThrownBy(asAlice::list)
                    .isInstanceOf(SecurityException.class)
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> asAlice.create("alice", Duration.ofDays(1), Clock.system(), new SecureRandom()))
                    .isInstanceOf(SecurityException.class);
        }
    }

    @Test
    void rpcServesATokenAsItsUserUntilItIsRevoked() throws Exception {
        AccessToken token = create("carol");
        try (RpcServer server = RpcServer.start(
                "127.0.0.1", 0, List.of(who()), pki.node("n2"), new SimpleMeterRegistry(), Optional.of(tokens))) {
            await().atMost(Duration.ofSeconds(REVOCATION_BOUND_SECONDS))
                    .ignoreExceptions()
                    .until(() -> call(server, withToken(token)).equals("user carol"));
            assertThat(call(server, pki.user("alice"))).isEqualTo("user alice");
            revoke(token);
            await().atMost(Duration.ofSeconds(REVOCATION_BOUND_SECONDS))
                    .untilAsserted(() -> assertThatThrownBy(() -> call(server, withToken(token)))
                            .isInstanceOf(RemoteException.class)
                            .hasMessage(BearerTokens.REVOKED));
        }
    }

    @Test
    void httpsServesATokenUntilItIsRevokedAndAnswers401WithTheReason() throws Exception {
        AccessToken token = create("carol");
        try (OpsServer ops = OpsServer.start(
                "127.0.0.1",
                0,
                new OpsSources(
                        "n2", List.of("worker"), "127.0.0.1:1", null, null, List::of, null, null, null, null, null),
                Clock.system(),
                new NodeMetrics("n2", List.of("worker")),
                pki.node("n2"),
                Optional.of(tokens))) {
            URI metrics = URI.create(ops.url() + "metrics");
            HttpResponse<String> none = get(metrics, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).contains(BearerTokens.NO_CREDENTIALS);
            await().atMost(Duration.ofSeconds(REVOCATION_BOUND_SECONDS))
                    .until(() -> get(metrics, token).statusCode() == 200);
            assertThat(get(metrics, AccessToken.generate(new SecureRandom())).body())
                    .contains(BearerTokens.UNKNOWN);
            revoke(token);
            await().atMost(Duration.ofSeconds(REVOCATION_BOUND_SECONDS))
                    .until(() -> get(metrics, token).body().contains(BearerTokens.REVOKED));
            assertThat(get(metrics, token).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aNodeCutOffFromCoordRefusesEveryToken() throws Exception {
        AccessToken token = create("carol");
        await().atMost(Duration.ofSeconds(REVOCATION_BOUND_SECONDS))
                .until(() -> tokens.verify(token) instanceof BearerTokens.Outcome.Accepted);
        coord.close();
        coord = null;
        await().atMost(Duration.ofSeconds(30))
                .until(() -> tokens.verify(token)
                        .equals(new BearerTokens.Outcome.Refused(
                                "cannot check tokens: this node lost its coord connection")));
    }

    private HttpResponse<String> get(URI uri, AccessToken token) throws Exception {
        javax.net.ssl.SSLContext context = ((TransportSecurity.TokenTls)
                        withToken(token == null ? AccessToken.generate(new SecureRandom()) : token))
                .context();
        try (HttpClient client = HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            if (token != null) request.header("Authorization", "Bearer " + token.text());
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
