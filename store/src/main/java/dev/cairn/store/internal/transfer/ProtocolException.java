package dev.cairn.store.internal.transfer;

import java.io.IOException;

/** Bytes that do not follow the transfer protocol: the stream can no longer be trusted, so its connection is closed. */
final class ProtocolException extends IOException {
    ProtocolException(String message) {
        super(message);
    }
}
