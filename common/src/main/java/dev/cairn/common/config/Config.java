package dev.cairn.common.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Effective values for the keys of one {@link ConfigDef}. Immutable.
 *
 * <p>Precedence, lowest first: the keys' defaults, the YAML file, environment variables
 * ({@code CAIRN_} + the key upper-cased with dots and dashes as underscores, e.g.
 * {@code CAIRN_WORKER_SLOTS}), and command-line overrides ({@code -Dkey=value}). The YAML file may
 * nest maps ({@code worker: {slots: 2}}) or use dotted names ({@code worker.slots: 2}), or mix
 * them; both mean {@code worker.slots}. Every scalar in the file is read as literal text and
 * converted by its key's type. An empty value ({@code node.id:}) leaves the key at its default, so
 * that uncommenting a line of {@link ConfigDef#renderYaml()} without filling it in is harmless.
 */
public final class Config {
    private static final String DEFAULT = "default";
    private static final String CODE = "set in code";
    private static final String OVERRIDE = "from -D override";

    private final ConfigDef def;
    /** By key name; null for an unset string key. */
    private final Map<String, Object> values;
    /** By key name: where the value came from, in the words of error messages ("from -D override"). */
    private final Map<String, String> sources;

    private Config(ConfigDef def, Map<String, Object> values, Map<String, String> sources) {
        this.def = def;
        this.values = values;
        this.sources = sources;
    }

    /** Every key at its default. */
    public static Config defaults(ConfigDef def) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (ConfigKey<?> k : def.keys()) {
            values.put(k.name(), k.defaultValue());
            sources.put(k.name(), DEFAULT);
        }
        return new Config(def, values, sources);
    }

    /**
     * Layers the file, the environment and the overrides over the defaults.
     *
     * @param yamlFile a config file, or null for none
     * @param env the process environment; variables that name no key (CAIRN_OPTS, say) are ignored
     * @param overrides key names to values from {@code -Dkey=value}
     * @throws ConfigException in one line naming the file, variable or override at fault: a
     *     missing or malformed file, a file that is not a map, an unknown key (with the nearest
     *     known one), or a value its key cannot parse or accept
     */
    public static Config load(ConfigDef def, Path yamlFile, Map<String, String> env, Map<String, String> overrides) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(overrides, "overrides");
        Config c = defaults(def);
        if (yamlFile != null) {
            String source = "in " + yamlFile;
            for (Map.Entry<String, Object> e : YamlFiles.readFlat(yamlFile).entrySet())
                c.set(e.getKey(), e.getValue(), source);
        }
        for (ConfigKey<?> k : def.keys()) {
            String var = envName(k.name());
            String v = env.get(var);
            if (v != null) c.set(k.name(), v, "from environment variable " + var);
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) c.set(e.getKey(), e.getValue(), OVERRIDE);
        return c;
    }

    /** The environment variable for a key: {@code worker.slots} is {@code CAIRN_WORKER_SLOTS}. */
    public static String envName(String key) {
        return "CAIRN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Only for building a fresh Config in {@link #load}; a loaded Config is never changed. */
    private void set(String name, Object raw, String source) {
        ConfigKey<?> k = def.key(name);
        if (k == null) {
            // "worker:" left with all its nested keys commented out is an empty section, not a key.
            if (raw == null && def.isPrefix(name)) return;
            String hint = def.suggest(name);
            throw new ConfigException("unknown config key '" + name + "' " + source
                    + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
        }
        if (raw == null) return;
        values.put(name, k.parse(raw, source));
        sources.put(name, source);
    }

    /**
     * The effective value: null only for an unset string key.
     *
     * @throws IllegalArgumentException if the key is not one of this configuration's
     */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        requireDeclared(key);
        return (T) values.get(key.name());
    }

    /**
     * A copy with one value replaced; null unsets a key whose default is null.
     *
     * @throws ConfigException if the value breaks the key's constraints
     * @throws IllegalArgumentException if the key is not one of this configuration's, or null is
     *     given for a key that must have a value
     */
    public <T> Config with(ConfigKey<T> key, T value) {
        requireDeclared(key);
        if (value == null && key.defaultValue() != null)
            throw new IllegalArgumentException("config key '" + key.name() + "' cannot be unset");
        if (value != null) key.check(value, CODE);
        Map<String, Object> v = new LinkedHashMap<>(values);
        Map<String, String> s = new LinkedHashMap<>(sources);
        v.put(key.name(), value);
        s.put(key.name(), CODE);
        return new Config(def, v, s);
    }

    private void requireDeclared(ConfigKey<?> key) {
        if (def.key(key.name()) != key) {
            throw new IllegalArgumentException("config key '" + key.name() + "' is not declared in " + def.title());
        }
    }

    public ConfigDef def() {
        return def;
    }

    /**
     * Every value that is set, by key name in declaration order, in its text form. Given as the
     * overrides of {@link #load} with the same {@link ConfigDef}, it reproduces this configuration,
     * e.g. in a child process.
     */
    public Map<String, String> toMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey<?> k : def.keys()) {
            String v = formatted(k);
            if (v != null) out.put(k.name(), v);
        }
        return Collections.unmodifiableMap(out);
    }

    private <T> String formatted(ConfigKey<T> k) {
        T v = get(k);
        return v == null ? null : k.format(v);
    }

    /**
     * One line per key with its value and where it came from, for logs, e.g.
     * {@code worker.slots = 4 (from environment variable CAIRN_WORKER_SLOTS)}.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey<?> k : def.keys()) {
            String v = formatted(k);
            sb.append(k.name())
                    .append(v == null ? " unset" : " = " + v)
                    .append(" (")
                    .append(sources.get(k.name()))
                    .append(")\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Config" + toMap();
    }
}
