package dev.cairn.common.config;

/**
 * A configuration problem, described in one line that names the key and where the value came
 * from. An {@link IllegalArgumentException} because it is the user's input that is wrong, and
 * the CLI reports those by message alone, without a stack trace.
 */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
