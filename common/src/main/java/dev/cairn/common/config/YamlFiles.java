package dev.cairn.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/** Reading config files, and writing values the way config files hold them. */
final class YamlFiles {
    private YamlFiles() {}

    /**
     * Resolves every plain scalar to a string except the null forms ({@code ~}, {@code null},
     * empty). Each key's type then reads the literal text, so {@code node.id: 010} is "010" (not
     * YAML 1.1's octal 8) and {@code 1:30} is not the sexagesimal 5400.
     */
    private static final class LiteralResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    /**
     * The file's entries, nested maps flattened to dotted names, in file order. A value is a
     * string, a list, or null (an empty value).
     *
     * @throws ConfigException if the file is missing or unreadable, is not YAML, does not hold a
     *     map, or sets a name twice (also as {@code a: {b: 1}} and {@code a.b: 2})
     */
    static Map<String, Object> readFlat(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e);
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object root;
        try {
            root = new Yaml(
                            new SafeConstructor(options),
                            new Representer(new DumperOptions()),
                            new DumperOptions(),
                            options,
                            new LiteralResolver())
                    .load(text);
        } catch (MarkedYAMLException e) {
            throw new ConfigException(
                    "malformed YAML in " + file + where(e.getProblemMark()) + ": " + oneLine(e.getProblem()), e);
        } catch (YAMLException e) {
            throw new ConfigException("malformed YAML in " + file + ": " + oneLine(e.getMessage()), e);
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (root == null) return flat;
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(
                    "config file " + file + " must hold a map of keys to values, not " + describe(root));
        }
        flatten(file, "", map, flat);
        return flat;
    }

    private static void flatten(Path file, String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(file, name + ".", nested, out);
            } else if (out.containsKey(name)) {
                throw new ConfigException("config key '" + name + "' is set twice in " + file);
            } else {
                out.put(name, e.getValue());
            }
        }
    }

    private static String where(Mark mark) {
        return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s == null ? "unknown problem" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    private static String describe(Object root) {
        return root instanceof List<?> ? "a list" : "a single value";
    }

    /**
     * {@code value} (a string, or a list of strings) as a one-line YAML value that reads back as
     * itself: plain when YAML allows, quoted otherwise (e.g. "yes", "1.5", "a: b", "").
     */
    static String inline(Object value) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.FLOW);
        options.setWidth(Integer.MAX_VALUE);
        options.setSplitLines(false);
        // Line breaks would otherwise get a multi-line block scalar; escapes keep it on one line.
        if (value.toString().indexOf('\n') >= 0 || value.toString().indexOf('\r') >= 0) {
            options.setDefaultScalarStyle(DumperOptions.ScalarStyle.DOUBLE_QUOTED);
        }
        return new Yaml(options).dump(value).strip();
    }
}
