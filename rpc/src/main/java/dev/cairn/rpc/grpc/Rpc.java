package dev.cairn.rpc.grpc;

import dev.cairn.rpc.RemoteException;
import dev.cairn.rpc.RpcUnavailableException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * The two halves of Cairn's error contract over gRPC. A server handler runs its body through
 * {@link #reply}, which turns an exception into a status carrying the exception's class and
 * message; a client runs its call through {@link #call}, which turns that status back into a
 * {@link RemoteException} (or {@link RpcUnavailableException} when the node was not reached or the
 * deadline passed), so callers never see transport types.
 */
public final class Rpc {
    /** Largest message either side accepts: job jars travel in one message. */
    public static final int MAX_MESSAGE_BYTES = 128 << 20;

    static final Metadata.Key<String> ERROR_CLASS =
            Metadata.Key.of("cairn-error-class", Metadata.ASCII_STRING_MARSHALLER);

    private Rpc() {}

    /** Runs a unary handler body and completes {@code observer} with its result or its failure. */
    public static <R> void reply(StreamObserver<R> observer, Callable<R> body) {
        R result;
        try {
            result = body.call();
        } catch (Throwable t) {
            observer.onError(toStatus(t));
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }

    /** The status a handler failure travels as. */
    public static StatusRuntimeException toStatus(Throwable t) {
        Status status = switch (t) {
            case IllegalArgumentException e -> Status.INVALID_ARGUMENT;
            case NoSuchElementException e -> Status.NOT_FOUND;
            case NoSuchFileException e -> Status.NOT_FOUND;
            case FileNotFoundException e -> Status.NOT_FOUND;
            case IllegalStateException e -> Status.FAILED_PRECONDITION;
            case SecurityException e -> Status.PERMISSION_DENIED;
            case InterruptedException e -> Status.CANCELLED;
            default -> Status.INTERNAL;
        };
        Metadata trailers = new Metadata();
        trailers.put(ERROR_CLASS, t.getClass().getName());
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
        return status.withDescription(message).asRuntimeException(trailers);
    }

    /** A client call body: the stub invocation, with its deadline already set. */
    @FunctionalInterface
    public interface Call<R> {
        R run();
    }

    /** Runs a client call, translating transport failures into Cairn's exceptions. */
    public static <R> R call(String target, String method, Call<R> call) {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            throw translate(target, method, e);
        }
    }

    public static RemoteException translate(String target, String method, StatusRuntimeException e) {
        Status status = e.getStatus();
        String code = status.getCode().name();
        String description = status.getDescription();
        return switch (status.getCode()) {
            case UNAVAILABLE ->
                new RpcUnavailableException(
                        target,
                        method,
                        code,
                        "cannot reach " + target + " (" + method + "): " + unavailableReason(description, e),
                        e);
            case DEADLINE_EXCEEDED ->
                new RpcUnavailableException(
                        target,
                        method,
                        code,
                        method + " to " + target + " timed out: "
                                + (description != null ? description : "deadline exceeded"),
                        e);
            default -> {
                Metadata trailers = e.getTrailers();
                String remoteClass = trailers == null ? null : trailers.get(ERROR_CLASS);
                yield new RemoteException(target, method, code, remoteClass, description, e);
            }
        };
    }

    /**
     * Why a call could not reach its server: gRPC's description, and the transport's own reason when
     * the description is only gRPC's generic "io exception" (a reset by a TLS server that got plain
     * text, a certificate the server or the client refused).
     */
    private static String unavailableReason(String description, Throwable e) {
        if (description == null) return rootMessage(e);
        String root = rootMessage(e);
        return description.equals("io exception") && !root.equals(description)
                ? description + ": " + root
                : description;
    }

    @SuppressWarnings("ReferenceEquality") // a cause that is the throwable itself: identity is what is meant
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
