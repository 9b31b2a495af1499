package dev.cairn.dataflow.internal.network;

/** A remote channel failed: its peer died or failed it, the connection broke, or the bytes were malformed. */
public final class ChannelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChannelException(String message, Throwable cause) {
        super(message, cause);
    }
}
