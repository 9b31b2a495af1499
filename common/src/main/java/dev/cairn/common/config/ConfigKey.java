package dev.cairn.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key: its dotted name, type, default and documentation, declared once (as a
 * constant next to the code that reads it) and nowhere else. Immutable; two keys are the same key
 * only if they are the same object.
 *
 * <p>Names are lower case, dotted, with at least one dot ({@code worker.slots},
 * {@code master.worker-timeout}). Values are never null, except that a {@link #stringKey} may
 * have a null default, meaning "unset". Every value has a text form ({@link #format}) that
 * {@link #parse} reads back, so values travel through environment variables and {@code -D}.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {
    private static final String NOT_NEGATIVE = "must not be negative";
    private static final String AT_LEAST = "must be at least ";

    private final String name;
    private final T defaultValue;
    private final String doc;
    private final ValueType<T> type;
    private final List<Check<? super T>> checks;

    /**
     * How values of one type are read and written.
     *
     * @param expected what a value must look like, for error messages ("an integer")
     * @param parser from a YAML scalar or list (strings, as {@link Config} loads YAML), or a string;
     *     throws (any RuntimeException) or returns null for a bad value
     * @param textual whether the YAML form needs the quoting rules of free text (strings, lists)
     */
    record ValueType<T>(
            String expected, Function<Object, T> parser, Function<? super T, String> formatter, boolean textual) {}

    /** A constraint beyond the type, e.g. "must be at least 1". */
    private record Check<T>(Predicate<T> test, String requirement) {}

    private ConfigKey(String name, T defaultValue, String doc, ValueType<T> type, List<Check<? super T>> checks) {
        Objects.requireNonNull(name, "config key name");
        if (!name.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+")) {
            throw new IllegalArgumentException(
                    "bad config key name '" + name + "': use lower-case dotted words, like 'worker.slots'");
        }
        this.name = name;
        this.defaultValue = defaultValue;
        this.doc = Objects.requireNonNull(doc, "doc of config key " + name);
        this.type = type;
        this.checks = List.copyOf(checks);
        if (defaultValue != null) {
            String failed = failedRequirement(defaultValue);
            if (failed != null)
                throw new IllegalArgumentException(
                        "default of config key '" + name + "' " + failed + ": " + format(defaultValue));
        }
    }

    private static <T> ConfigKey<T> of(String name, T def, String doc, ValueType<T> type) {
        return new ConfigKey<>(name, def, doc, type, List.of());
    }

    private static <T> T required(T def, String name) {
        return Objects.requireNonNull(def, "default of config key " + name);
    }

    public static ConfigKey<Integer> intKey(String name, int def, String doc) {
        return of(
                name,
                def,
                doc,
                new ValueType<>("an integer", v -> Integer.parseInt(scalar(v)), String::valueOf, false));
    }

    public static ConfigKey<Long> longKey(String name, long def, String doc) {
        return of(
                name, def, doc, new ValueType<>("an integer", v -> Long.parseLong(scalar(v)), String::valueOf, false));
    }

    public static ConfigKey<Double> doubleKey(String name, double def, String doc) {
        return of(name, def, doc, new ValueType<>("a number", v -> parseDouble(scalar(v)), String::valueOf, false));
    }

    /** {@code true} or {@code false}; {@code yes}/{@code no} and {@code on}/{@code off} too, as YAML 1.1 allows. */
    public static ConfigKey<Boolean> boolKey(String name, boolean def, String doc) {
        return of(
                name,
                def,
                doc,
                new ValueType<>(
                        "true or false",
                        v -> switch (scalar(v).toLowerCase(Locale.ROOT)) {
                            case "true", "yes", "on" -> true;
                            case "false", "no", "off" -> false;
                            default -> null;
                        },
                        String::valueOf,
                        false));
    }

    /** Free text, taken literally; a null default means "unset". */
    public static ConfigKey<String> stringKey(String name, String def, String doc) {
        return of(
                name,
                def,
                doc,
                new ValueType<>("a string", v -> v instanceof List<?> ? null : v.toString(), s -> s, true));
    }

    /**
     * A non-negative duration: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}, or
     * plain milliseconds. Millisecond precision: {@link #format} drops anything finer.
     */
    public static ConfigKey<Duration> durationKey(String name, Duration def, String doc) {
        return of(
                        name,
                        required(def, name),
                        doc,
                        new ValueType<>(
                                "a duration like 500ms, 10s, 2m or 1h",
                                v -> Units.parseDuration(scalar(v)),
                                Units::formatDuration,
                                false))
                .validate(d -> !d.isNegative(), NOT_NEGATIVE);
    }

    /** A non-negative number of bytes: {@code 512k}, {@code 64m}, {@code 1g} (powers of 1024), or plain bytes. */
    public static ConfigKey<Long> sizeKey(String name, long def, String doc) {
        return of(
                        name,
                        def,
                        doc,
                        new ValueType<>(
                                "a size like 512k, 64m or 1g",
                                v -> Units.parseSize(scalar(v)),
                                Units::formatSize,
                                false))
                .validate(n -> n >= 0, NOT_NEGATIVE);
    }

    /**
     * A list of strings: a YAML list, or one comma-separated string (optionally in brackets, as in
     * {@code [a, b]}), elements trimmed and empty ones dropped. The text form is comma-separated,
     * so elements given as text cannot contain commas.
     */
    public static ConfigKey<List<String>> listKey(String name, List<String> def, String doc) {
        return of(
                name,
                List.copyOf(required(def, name)),
                doc,
                new ValueType<>("a list", ConfigKey::parseList, l -> String.join(",", l), true));
    }

    /**
     * This key with one more constraint on its values, checked wherever a value comes from
     * (including {@link Config#with}); the default must meet it.
     *
     * @param requirement completes "config key 'x' from ...: " in error messages, e.g. "must be positive"
     */
    public ConfigKey<T> validate(Predicate<? super T> test, String requirement) {
        List<Check<? super T>> more = new ArrayList<>(checks);
        more.add(new Check<>(test::test, requirement));
        return new ConfigKey<>(name, defaultValue, doc, type, more);
    }

    /** {@link #validate} that values are at least {@code bound}, for comparable value types. */
    public ConfigKey<T> min(T bound) {
        return validate(v -> comparable(v).compareTo(bound) >= 0, AT_LEAST + format(bound));
    }

    /** {@link #validate} that values are at most {@code bound}, for comparable value types. */
    public ConfigKey<T> max(T bound) {
        return validate(v -> comparable(v).compareTo(bound) <= 0, "must be at most " + format(bound));
    }

    @SuppressWarnings("unchecked")
    private Comparable<T> comparable(T v) {
        if (!(v instanceof Comparable<?> c))
            throw new IllegalStateException("config key '" + name + "' has no ordered values");
        return (Comparable<T>) c;
    }

    public String name() {
        return name;
    }

    /** Null only for an unset string key. */
    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /**
     * The constraints values must meet beyond their type, as phrases ("must be at least 1"), in
     * the order added; a type's "must not be negative" is left out once a lower bound says more.
     */
    public List<String> requirements() {
        List<String> all = checks.stream().map(Check::requirement).toList();
        boolean bounded = all.stream().anyMatch(r -> r.startsWith(AT_LEAST));
        return all.stream().filter(r -> !(bounded && r.equals(NOT_NEGATIVE))).toList();
    }

    /** What a value must look like, e.g. "an integer", "a duration like 500ms, 10s, 2m or 1h". */
    public String expected() {
        return type.expected();
    }

    /**
     * Converts and checks a value from YAML, the environment or the command line.
     *
     * @param raw a string, or a list of strings for list keys
     * @param source where the value came from, completing "config key 'x' ...", e.g. "from -D override"
     * @throws ConfigException naming the key, the source and what was wrong
     */
    public T parse(Object raw, String source) {
        T v;
        try {
            v = raw == null ? null : type.parser().apply(raw);
        } catch (RuntimeException e) {
            v = null;
        }
        if (v == null)
            throw new ConfigException(prefix(source) + "expected " + type.expected() + ", got '" + raw + "'");
        check(v, source);
        return v;
    }

    /** @throws ConfigException if {@code value} breaks a constraint added by {@link #validate} */
    void check(T value, String source) {
        String failed = failedRequirement(value);
        if (failed != null) throw new ConfigException(prefix(source) + failed + ", got '" + format(value) + "'");
    }

    private String failedRequirement(T value) {
        for (Check<? super T> c : checks) {
            if (!test(c, value)) return c.requirement();
        }
        return null;
    }

    private static <T> boolean test(Check<T> c, T value) {
        return c.test().test(value);
    }

    private String prefix(String source) {
        return "config key '" + name + "' " + source + ": ";
    }

    /** The text form, which {@link #parse} reads back; "" for null. */
    public String format(T value) {
        return value == null ? "" : type.formatter().apply(value);
    }

    /** Whether the YAML form of a value is free text that may need quoting. */
    boolean textual() {
        return type.textual();
    }

    /** Parses a size like {@code 64m}; see {@link #sizeKey}. @throws IllegalArgumentException saying what is wrong */
    public static long parseSize(String s) {
        return Units.parseSize(s);
    }

    public static String formatSize(long bytes) {
        return Units.formatSize(bytes);
    }

    /** Parses a duration like {@code 10s}; see {@link #durationKey}. @throws IllegalArgumentException saying what is wrong */
    public static Duration parseDuration(String s) {
        return Units.parseDuration(s);
    }

    public static String formatDuration(Duration d) {
        return Units.formatDuration(d);
    }

    /** The text of a scalar; {@link #parse} is public, so numbers and booleans count too. */
    private static String scalar(Object v) {
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean))
            throw new IllegalArgumentException("not a scalar");
        return v.toString().trim();
    }

    private static Double parseDouble(String s) {
        // parseDouble also takes Java suffixes ("1f", "2d") and hex floats, which are not config syntax.
        if (!s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?|[-+]?(Infinity|\\.inf)|NaN|\\.nan")) return null;
        return switch (s) {
            case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
            case "-.inf" -> Double.NEGATIVE_INFINITY;
            case ".nan" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static List<String> parseList(Object v) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o == null || o instanceof Iterable<?> || o instanceof Map<?, ?>) return null;
                String s = o.toString();
                if (!s.isBlank()) out.add(s.trim());
            }
        } else if (v instanceof String s) {
            String t = s.trim();
            if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
            for (String part : t.split(",", -1)) if (!part.isBlank()) out.add(part.trim());
        } else {
            return null;
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return name;
    }
}
