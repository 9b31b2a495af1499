package dev.cairn.rpc.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lets calls through to the master's services only while this node is the active master; a
 * standby answers UNAVAILABLE naming the active one, so a client or worker that reached the wrong
 * master learns where to go and a deposed master can no longer change anything.
 */
public final class MasterGate implements ServerInterceptor {
    private final Supplier<Optional<String>> activeMaster;
    private volatile boolean open;

    public MasterGate(Supplier<Optional<String>> activeMaster) {
        this.activeMaster = activeMaster;
    }

    public void open() {
        open = true;
    }

    public void close() {
        open = false;
    }

    public boolean isOpen() {
        return open;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (open) return next.startCall(call, headers);
        String where =
                activeMaster.get().map(m -> "the active master is " + m).orElse("no master is elected right now");
        call.close(Status.UNAVAILABLE.withDescription("this node is a standby master; " + where), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
