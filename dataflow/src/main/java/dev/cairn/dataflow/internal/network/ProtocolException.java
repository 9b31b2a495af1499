package dev.cairn.dataflow.internal.network;

import java.io.IOException;

/** Bytes that do not follow the stream network protocol: the connection can no longer be trusted and is closed. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
