package dev.cairn.batch.internal.sort;

import java.io.IOException;

/** A segment's bytes do not match the CRC32C its index recorded: the data was damaged on disk or on the way. */
public final class ChecksumException extends IOException {
    private final String source;

    ChecksumException(String source, int expected, int actual) {
        super(String.format(
                "checksum mismatch in segment from %s: expected CRC32C %08x, computed %08x", source, expected, actual));
        this.source = source;
    }

    /** The name of the segment's source, as given to {@link SegmentReader}. */
    public String source() {
        return source;
    }
}
