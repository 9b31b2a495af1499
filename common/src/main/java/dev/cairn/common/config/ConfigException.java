package dev.cairn.common.config;

/** A configuration problem, described in one line that names the key and where the value came from. */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
