package dev.cairn.store.internal.disk;

import java.util.HexFormat;

/**
 * The identity of a block. Its text form, {@code blk_} and 16 lower-case hex digits, is also the
 * name of the block's data file; {@link #parse} reads it back. Any {@code long} is a valid id.
 */
public record BlockId(long value) implements Comparable<BlockId> {
    private static final String PREFIX = "blk_";
    private static final int HEX_DIGITS = 16;

    /**
     * Reads the text form of a block id.
     *
     * @throws IllegalArgumentException if {@code text} is not {@code blk_} and exactly 16 hex digits
     */
    public static BlockId parse(String text) {
        if (!isBlockName(text)) {
            throw new IllegalArgumentException("not a block id: '" + text + "' (expected blk_ and 16 hex digits)");
        }
        return new BlockId(HexFormat.fromHexDigitsToLong(text, PREFIX.length(), text.length()));
    }

    /** Whether {@code text} is the text form of some block id (as {@link #parse} accepts it). */
    public static boolean isBlockName(String text) {
        if (text == null || text.length() != PREFIX.length() + HEX_DIGITS || !text.startsWith(PREFIX)) return false;
        for (int i = PREFIX.length(); i < text.length(); i++) {
            char c = text.charAt(i);
            // Lower case only: one id, one file name, even on case-insensitive file systems.
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    /** Unsigned order of the values, which is also the order of the text forms. */
    @Override
    public int compareTo(BlockId other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return PREFIX + HexFormat.of().toHexDigits(value);
    }
}
