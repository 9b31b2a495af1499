package dev.cairn.dataflow.nexmark;

import java.io.Serial;

/**
 * A line that is not a well-formed Nexmark event. The message is the reason (which field, and
 * why) followed by the line, shortened to 200 characters.
 */
public final class MalformedEventException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final int MAX_LINE_IN_MESSAGE = 200;
    private final String reason;

    MalformedEventException(String reason, String line) {
        super(reason + " in line '"
                + (line.length() <= MAX_LINE_IN_MESSAGE ? line : line.substring(0, MAX_LINE_IN_MESSAGE) + "...")
                + "'");
        this.reason = reason;
    }

    /** What is wrong, without the line: e.g. "malformed Nexmark bid: field 3 (auction) is not a number: 'x'". */
    public String reason() {
        return reason;
    }
}
