package dev.cairn.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.rpc.RpcServer;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.GrpcService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Calls to a real {@link RpcServer} on loopback land in its histogram by method and status. */
class CallMetricsTest {
    /** Strings on the wire as UTF-8: a service needs no generated code to be called. */
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
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
    };

    private static final MethodDescriptor<String, String> ECHO = method("Echo");
    private static final MethodDescriptor<String, String> REFUSE = method("Refuse");

    private static MethodDescriptor<String, String> method(String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("cairn.test.Probe", name))
                .setRequestMarshaller(UTF8)
                .setResponseMarshaller(UTF8)
                .build();
    }

    /** The registry's clock: calls take no time unless the handler moves it on. */
    private static final MockClock CLOCK = new MockClock();

    private static GrpcService probe() {
        return new GrpcService(ServerServiceDefinition.builder("cairn.test.Probe")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((req, out) -> {
                    // the registry's clock moves on: a call that takes long enough to leave the 50 ms bucket
                    if (req.equals("slow")) CLOCK.add(60, TimeUnit.MILLISECONDS);
                    out.onNext(req);
                    out.onCompleted();
                }))
                .addMethod(
                        REFUSE,
                        ServerCalls.asyncUnaryCall((req, out) -> out.onError(
                                Status.FAILED_PRECONDITION.withDescription("no").asRuntimeException())))
                .build());
    }

    @Test
    void callsAreCountedByServiceMethodAndStatusWithBucketsThatTellSlowFromFast() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry(SimpleConfig.DEFAULT, CLOCK);
        try (RpcServer server = RpcServer.start("127.0.0.1", 0, List.of(probe()), TransportSecurity.plain(), meters);
                Channels channels = new Channels()) {
            var channel = channels.get(server.endpoint());
            for (int i = 0; i < 5; i++)
                assertThat(ClientCalls.blockingUnaryCall(channel, ECHO, io.grpc.CallOptions.DEFAULT, "hi"))
                        .isEqualTo("hi");
            assertThat(ClientCalls.blockingUnaryCall(channel, ECHO, io.grpc.CallOptions.DEFAULT, "slow"))
                    .isEqualTo("slow");
            for (int i = 0; i < 2; i++)
                assertThatThrownBy(
                                () -> ClientCalls.blockingUnaryCall(channel, REFUSE, io.grpc.CallOptions.DEFAULT, "x"))
                        .isInstanceOf(StatusRuntimeException.class);
        }
        Timer echo = meters.get(CallMetrics.NAME)
                .tags("service", "Probe", "method", "Echo", "status", "ok")
                .timer();
        assertThat(echo.count()).isEqualTo(6);
        CountAtBucket[] buckets = echo.takeSnapshot().histogramCounts();
        CountAtBucket under50ms = Arrays.stream(buckets)
                .filter(b -> b.bucket(java.util.concurrent.TimeUnit.MILLISECONDS) == 50)
                .findFirst()
                .orElseThrow();
        assertThat(under50ms.count()).as("the slow call is above 50 ms").isLessThanOrEqualTo(5);
        assertThat(buckets[buckets.length - 1].count())
                .as("every call is under 30 s")
                .isEqualTo(6);
        Timer refused = meters.get(CallMetrics.NAME)
                .tags("service", "Probe", "method", "Refuse", "status", "failed_precondition")
                .timer();
        assertThat(refused.count()).isEqualTo(2);
    }
}
