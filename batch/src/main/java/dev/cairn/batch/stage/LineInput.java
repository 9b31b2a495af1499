package dev.cairn.batch.stage;

import java.io.IOException;

/**
 * The lines of a file split (UTF-8, without their line ending): the lines whose first byte lies
 * in the split, the last one read to its end past the split if need be.
 */
public interface LineInput {
    /** Moves to the next line; false at the end of the split. */
    boolean next() throws IOException;

    /** The current line. */
    String line();

    /**
     * The array holding the current line's UTF-8 bytes (without its line ending), from
     * {@link #lineStart} for {@link #lineLength} bytes: the line undecoded, for programs that
     * work on bytes. The reader never writes those bytes again, so a view of them may be kept.
     */
    byte[] lineArray();

    /** Where the current line starts in {@link #lineArray}. */
    int lineStart();

    /** The current line's length in bytes. */
    int lineLength();

    /** The byte offset of the current line in its file. */
    long offset();

    /** The file being read. */
    String path();

    /** The share of the split read so far, 0..1. */
    double progress();
}
