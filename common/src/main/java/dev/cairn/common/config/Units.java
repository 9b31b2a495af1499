package dev.cairn.common.config;

import java.time.Duration;
import java.util.Locale;

/** The text forms of durations and byte sizes that config files, the environment and -D use. */
public final class Units {
    private Units() {}

    private static final long SECOND = 1000, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE, DAY = 24 * HOUR;
    private static final long[] DURATION_MS = {DAY, HOUR, MINUTE, SECOND};
    private static final String[] DURATION_UNITS = {"d", "h", "m", "s"};
    private static final int[] SIZE_SHIFTS = {40, 30, 20, 10};
    private static final String[] SIZE_UNITS = {"t", "g", "m", "k"};

    /**
     * A non-negative whole number of milliseconds, seconds, minutes, hours or days: {@code 500ms},
     * {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}, or a plain number of milliseconds. Case and
     * a space before the unit are ignored.
     *
     * @throws IllegalArgumentException for anything else, or a duration too long for {@link Duration}
     */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String unit = t.endsWith("ms")
                ? "ms"
                : t.isEmpty() || Character.isDigit(t.charAt(t.length() - 1)) ? "" : t.substring(t.length() - 1);
        long n = wholeNumber(t.substring(0, t.length() - unit.length()), text);
        long ms = switch (unit) {
            case "", "ms" -> 1;
            case "s" -> SECOND;
            case "m" -> MINUTE;
            case "h" -> HOUR;
            case "d" -> DAY;
            default -> throw new IllegalArgumentException("bad duration '" + text + "': unknown unit '" + unit + "'");
        };
        try {
            return Duration.ofMillis(Math.multiplyExact(n, ms));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too long");
        }
    }

    /** The form {@link #parseDuration} reads, in the largest unit that is exact; whole milliseconds only. */
    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        for (int i = 0; i < DURATION_MS.length; i++) {
            if (ms != 0 && ms % DURATION_MS[i] == 0) return ms / DURATION_MS[i] + DURATION_UNITS[i];
        }
        return ms + "ms";
    }

    /**
     * A non-negative whole number of bytes, optionally followed by {@code k}, {@code m}, {@code g}
     * or {@code t} (powers of 1024) and an optional {@code b}: {@code 512k}, {@code 64m},
     * {@code 1g}, {@code 64MB}, {@code 4096}.
     *
     * @throws IllegalArgumentException for anything else, or more than {@link Long#MAX_VALUE} bytes
     */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        int shift = 0;
        for (int i = 0; i < SIZE_UNITS.length; i++) {
            if (t.endsWith(SIZE_UNITS[i])) {
                shift = SIZE_SHIFTS[i];
                t = t.substring(0, t.length() - 1);
                break;
            }
        }
        long n = wholeNumber(t, text);
        if (shift > 0 && n > Long.MAX_VALUE >> shift)
            throw new IllegalArgumentException("size '" + text + "' is too large");
        return n << shift;
    }

    /** The form {@link #parseSize} reads, in the largest unit that is exact. */
    static String formatSize(long bytes) {
        for (int i = 0; i < SIZE_SHIFTS.length; i++) {
            if (bytes != 0 && bytes % (1L << SIZE_SHIFTS[i]) == 0) return (bytes >> SIZE_SHIFTS[i]) + SIZE_UNITS[i];
        }
        return String.valueOf(bytes);
    }

    private static long wholeNumber(String digits, String text) {
        String d = digits.trim();
        // Long.parseLong alone would accept a sign; sizes and durations have none.
        if (d.isEmpty() || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad value '" + text + "': expected a whole number and a unit");
        }
        try {
            return Long.parseLong(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value '" + text + "' is too large");
        }
    }
}
