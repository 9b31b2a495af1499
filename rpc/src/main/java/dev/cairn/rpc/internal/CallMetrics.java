package dev.cairn.rpc.internal;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every call a server answers, from its headers arriving to its close, into the histogram
 * {@code cairn_rpc_server_seconds{service, method, status}}: the gRPC service's simple name (e.g.
 * {@code JobMaster}), the method, and the status code it closed with ({@code ok},
 * {@code unavailable}, ...). A streaming call counts once, over its whole life. Labels are bounded
 * by the services' methods times the status codes.
 *
 * <p>Buckets are fixed (1 ms to 30 s) rather than Micrometer's percentile histogram, whose ~70
 * buckets per series would make every node's scrape many times longer for little gain. Timers are
 * looked up by method and status in a map, so a call costs a map lookup and a timer record.
 */
public final class CallMetrics implements ServerInterceptor {
    static final String NAME = "cairn.rpc.server";
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30)
    };

    private record Key(String fullMethod, Status.Code status) {}

    private final MeterRegistry registry;
    private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Timer.Sample sample = Timer.start(registry);
        String fullMethod = call.getMethodDescriptor().getFullMethodName();
        ServerCall<Q, R> timed = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                // Recorded before the close, so a client that saw the answer finds it counted.
                sample.stop(timer(fullMethod, status.getCode()));
                super.close(status, trailers);
            }
        };
        return next.startCall(timed, headers);
    }

    private Timer timer(String fullMethod, Status.Code code) {
        return timers.computeIfAbsent(new Key(fullMethod, code), k -> {
            int slash = fullMethod.lastIndexOf('/');
            String service = slash < 0 ? "" : fullMethod.substring(0, slash);
            service = service.substring(service.lastIndexOf('.') + 1);
            return Timer.builder(NAME)
                    .description("Calls this node's RPC server answered, by service, method and status")
                    .tag("service", service)
                    .tag("method", fullMethod.substring(slash + 1))
                    .tag("status", code.name().toLowerCase(Locale.ROOT))
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        });
    }
}
