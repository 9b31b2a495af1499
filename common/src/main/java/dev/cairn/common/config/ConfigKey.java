package dev.cairn.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its dotted name, type, default and documentation, declared once (as a
 * constant next to the code that reads it) and nowhere else. Immutable.
 *
 * @param <T> the value type; values are never null except a string key's unset default
 */
public final class ConfigKey<T> {
    private final String name;
    private final T defaultValue;
    private final String doc;
    private final String typeName;
    private final Function<Object, T> parser;
    private final Function<T, String> formatter;

    private ConfigKey(String name, T defaultValue, String doc, String typeName, Function<Object, T> parser, Function<T, String> formatter) {
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+")) throw new IllegalArgumentException("bad config key name: " + name);
        this.name = name;
        this.defaultValue = defaultValue;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.typeName = typeName;
        this.parser = parser;
        this.formatter = formatter;
    }

    public static ConfigKey<Integer> intKey(String name, int def, String doc) {
        return new ConfigKey<>(name, def, doc, "an integer", v -> {
            if (v instanceof Integer i) return i;
            return Integer.parseInt(v.toString().trim());
        }, String::valueOf);
    }

    public static ConfigKey<Long> longKey(String name, long def, String doc) {
        return new ConfigKey<>(name, def, doc, "an integer", v -> {
            if (v instanceof Number n && !(v instanceof Double)) return n.longValue();
            return Long.parseLong(v.toString().trim());
        }, String::valueOf);
    }

    public static ConfigKey<Double> doubleKey(String name, double def, String doc) {
        return new ConfigKey<>(name, def, doc, "a number", v -> {
            if (v instanceof Number n) return n.doubleValue();
            return Double.parseDouble(v.toString().trim());
        }, String::valueOf);
    }

    public static ConfigKey<Boolean> boolKey(String name, boolean def, String doc) {
        return new ConfigKey<>(name, def, doc, "true or false", v -> {
            if (v instanceof Boolean b) return b;
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
            throw new IllegalArgumentException();
        }, String::valueOf);
    }

    /** A string; a null default means "unset". */
    public static ConfigKey<String> stringKey(String name, String def, String doc) {
        return new ConfigKey<>(name, def, doc, "a string", Object::toString, s -> s);
    }

    /** A duration: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or plain milliseconds. */
    public static ConfigKey<Duration> durationKey(String name, Duration def, String doc) {
        return new ConfigKey<>(name, def, doc, "a duration like 500ms, 10s, 2m or 1h", v -> parseDuration(v.toString()), ConfigKey::formatDuration);
    }

    /** A byte size: {@code 512k}, {@code 64m}, {@code 1g}, or plain bytes. */
    public static ConfigKey<Long> sizeKey(String name, long def, String doc) {
        return new ConfigKey<>(name, def, doc, "a size like 512k, 64m or 1g", v -> parseSize(v.toString()), ConfigKey::formatSize);
    }

    /** A list of strings: a YAML list, or one comma-separated string. */
    public static ConfigKey<List<String>> listKey(String name, List<String> def, String doc) {
        return new ConfigKey<>(name, List.copyOf(def), doc, "a list", v -> {
            List<String> out = new ArrayList<>();
            if (v instanceof List<?> l) {
                for (Object o : l) out.add(o.toString().trim());
            } else {
                for (String s : v.toString().split(",")) if (!s.isBlank()) out.add(s.trim());
            }
            return List.copyOf(out);
        }, l -> "[" + String.join(", ", l) + "]");
    }

    public String name() {
        return name;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /**
     * Converts a value from YAML, the environment or the command line.
     *
     * @param source where the value came from, for the error message
     * @throws ConfigException naming the key, the source and the expected type
     */
    public T parse(Object raw, String source) {
        try {
            T v = parser.apply(raw);
            if (v == null) throw new IllegalArgumentException();
            return v;
        } catch (RuntimeException e) {
            throw new ConfigException("config key '" + name + "' " + source + ": expected " + typeName + ", got '" + raw + "'");
        }
    }

    /** The value as it would be written in a config file. */
    public String format(T value) {
        return value == null ? "" : formatter.apply(value);
    }

    public static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mul = 1;
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("k")) mul = 1L << 10;
        else if (t.endsWith("m")) mul = 1L << 20;
        else if (t.endsWith("g")) mul = 1L << 30;
        else if (t.endsWith("t")) mul = 1L << 40;
        if (mul > 1) t = t.substring(0, t.length() - 1);
        long n = Long.parseLong(t.trim());
        if (n < 0) throw new IllegalArgumentException("negative size: " + s);
        return Math.multiplyExact(n, mul);
    }

    public static String formatSize(long bytes) {
        String[] units = {"t", "g", "m", "k"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes != 0 && bytes % (1L << shifts[i]) == 0) return (bytes >> shifts[i]) + units[i];
        }
        return String.valueOf(bytes);
    }

    public static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long n;
        if (t.endsWith("ms")) return Duration.ofMillis(nonNegative(t.substring(0, t.length() - 2)));
        char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        String num = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
        n = nonNegative(num);
        return switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> {
                if (Character.isDigit(unit)) yield Duration.ofMillis(n);
                throw new IllegalArgumentException("bad duration: " + s);
            }
        };
    }

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms != 0 && ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms != 0 && ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    private static long nonNegative(String s) {
        long n = Long.parseLong(s.trim());
        if (n < 0) throw new IllegalArgumentException("negative");
        return n;
    }

    @Override
    public String toString() {
        return name;
    }
}
