package dev.cairn.cli;

/** A failure whose message is the whole story for the user: printed as one line, no stack trace. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
