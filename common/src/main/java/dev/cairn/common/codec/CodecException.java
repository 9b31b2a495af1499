package dev.cairn.common.codec;

/** Bytes that are not a valid encoding, or a type no codec exists for. */
public final class CodecException extends RuntimeException {
    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
