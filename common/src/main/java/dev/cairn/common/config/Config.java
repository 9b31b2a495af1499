package dev.cairn.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Effective configuration values for the keys of one {@link ConfigDef}. Immutable.
 *
 * <p>Precedence, lowest first: the keys' defaults, the YAML file, environment variables
 * ({@code CAIRN_} + the key upper-cased with dots and dashes as underscores, e.g.
 * {@code CAIRN_WORKER_SLOTS}), and command-line overrides ({@code -Dkey=value}). The YAML file may
 * nest maps ({@code worker: {slots: 2}}) or use dotted keys; both mean {@code worker.slots}.
 */
public final class Config {
    private final ConfigDef def;
    private final Map<String, Object> values;

    private Config(ConfigDef def, Map<String, Object> values) {
        this.def = def;
        this.values = values;
    }

    public static Config defaults(ConfigDef def) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> k : def.keys()) values.put(k.name(), k.defaultValue());
        return new Config(def, values);
    }

    /**
     * @param yamlFile nullable
     * @throws ConfigException for a missing or malformed file, an unknown key, or a bad value
     */
    public static Config load(ConfigDef def, Path yamlFile, Map<String, String> env, Map<String, String> overrides) {
        Map<String, Object> values = defaults(def).values;
        if (yamlFile != null) {
            String source = "in " + yamlFile;
            for (Map.Entry<String, Object> e : readYaml(yamlFile).entrySet()) set(def, values, e.getKey(), e.getValue(), source);
        }
        for (ConfigKey<?> k : def.keys()) {
            String var = envName(k.name());
            String v = env.get(var);
            if (v != null) values.put(k.name(), k.parse(v, "from environment variable " + var));
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) set(def, values, e.getKey(), e.getValue(), "from -D override");
        return new Config(def, values);
    }

    public static String envName(String key) {
        return "CAIRN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void set(ConfigDef def, Map<String, Object> values, String name, Object raw, String source) {
        ConfigKey<?> k = def.key(name);
        if (k == null) {
            String hint = def.suggest(name);
            throw new ConfigException("unknown config key '" + name + "' " + source + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
        }
        values.put(name, raw == null ? null : k.parse(raw, source));
    }

    private static Map<String, Object> readYaml(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new ConfigException("malformed YAML in " + file + " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
                    + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException("malformed YAML in " + file + ": " + e.getMessage());
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (root == null) return flat;
        if (!(root instanceof Map<?, ?> map)) throw new ConfigException("config file " + file + " must hold a map of keys to values");
        flatten("", map, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) flatten(name + ".", nested, out);
            else out.put(name, e.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!values.containsKey(key.name())) throw new IllegalArgumentException("config key " + key.name() + " is not part of " + "this configuration");
        return (T) values.get(key.name());
    }

    /** A copy with one value replaced. */
    public <T> Config with(ConfigKey<T> key, T value) {
        get(key);
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key.name(), value);
        return new Config(def, copy);
    }

    /** Every set value in config-file form, e.g. for the configuration of a child process. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Map<String, String> toMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey k : def.keys()) {
            Object v = values.get(k.name());
            if (v != null) out.put(k.name(), k.format(v));
        }
        return out;
    }
}
