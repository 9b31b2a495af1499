package dev.cairn.it;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for tests that scrape
 * {@code /metrics}: every sample must belong to a family whose {@code # TYPE} came before it (a
 * histogram's {@code _bucket}, {@code _sum} and {@code _count}, a summary's {@code _sum} and
 * {@code _count}), names and label names must be valid, label values properly quoted and escaped,
 * values numbers (or {@code NaN}, {@code +Inf}, {@code -Inf}), no family typed or described twice,
 * no sample twice, and every histogram bucket labelled {@code le}. Anything else is an
 * {@link IllegalArgumentException} naming the line.
 */
final class PromText {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A metric family: its type, its HELP text (null if none), and its samples in order. */
    record Family(String name, String type, String help, List<Sample> samples) {}

    private PromText() {}

    /** The families of {@code text}, by name, in the order they appear. */
    static Map<String, Family> parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int no = i + 1;
            if (line.isBlank()) continue; // the format ignores empty lines
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    if (!METRIC_NAME.matcher(name).matches()) throw error(no, "bad metric name '" + name + "'");
                    if (parts[1].equals("TYPE")) {
                        if (parts.length != 4 || !TYPES.contains(parts[3]))
                            throw error(no, "bad type in '" + line + "'");
                        if (types.containsKey(name)) throw error(no, "second TYPE for " + name);
                        if (samples.containsKey(name)) throw error(no, "TYPE for " + name + " after its samples");
                        types.put(name, parts[3]);
                        samples.put(name, new ArrayList<>());
                    } else {
                        if (helps.containsKey(name)) throw error(no, "second HELP for " + name);
                        helps.put(name, parts.length == 4 ? unescapeHelp(parts[3], no) : "");
                    }
                }
                continue; // other comments are allowed
            }
            Sample s = sample(line, no);
            String family = familyOf(s, types);
            if (family == null) throw error(no, "sample " + s.name() + " of no family typed before it");
            if (types.get(family).equals("histogram")
                    && s.name().endsWith("_bucket")
                    && !s.labels().containsKey("le")) throw error(no, "histogram bucket without le: " + line);
            if (!seen.add(s.name() + new TreeMap<>(s.labels()))) throw error(no, "second sample " + line);
            samples.get(family).add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (var e : types.entrySet())
            out.put(e.getKey(), new Family(e.getKey(), e.getValue(), helps.get(e.getKey()), samples.get(e.getKey())));
        return out;
    }

    private static String familyOf(Sample s, Map<String, String> types) {
        String n = s.name();
        if (types.containsKey(n)) {
            String t = types.get(n);
            return t.equals("histogram") ? null : n;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (!n.endsWith(suffix)) continue;
            String base = n.substring(0, n.length() - suffix.length());
            String t = types.get(base);
            if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) return base;
        }
        return null;
    }

    private static Sample sample(String line, int no) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) throw error(no, "bad metric name '" + name + "'");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) throw error(no, "unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) throw error(no, "label without '='");
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches()) throw error(no, "bad label name '" + label + "'");
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') throw error(no, "label value not quoted");
                i++;
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (i >= line.length()) throw error(no, "unterminated label value");
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= line.length()) throw error(no, "dangling escape");
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> value.append('\\');
                            case '"' -> value.append('"');
                            case 'n' -> value.append('\n');
                            default -> throw error(no, "bad escape \\" + e);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) throw error(no, "label " + label + " twice");
                if (i < line.length() && line.charAt(i) == ',') i++;
                else if (i >= line.length() || line.charAt(i) != '}') throw error(no, "expected ',' or '}'");
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw error(no, "no value");
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2) throw error(no, "trailing text after the value");
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) throw error(no, "bad timestamp '" + rest[1] + "'");
        return new Sample(name, labels, value(rest[0], no));
    }

    private static double value(String v, int no) {
        return switch (v) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!v.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"))
                    throw error(no, "bad value '" + v + "'");
                yield Double.parseDouble(v);
            }
        };
    }

    private static String unescapeHelp(String s, int no) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= s.length()) throw error(no, "dangling escape in HELP");
            switch (s.charAt(i)) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                default -> throw error(no, "bad escape in HELP");
            }
        }
        return out.toString();
    }

    private static IllegalArgumentException error(int line, String what) {
        return new IllegalArgumentException("line " + line + ": " + what);
    }

    /**
     * The sum of the values of the samples named {@code sample} across {@code scrapes}, over those
     * whose labels include {@code labels} ({@code "k=v"} each).
     */
    static double sum(List<Map<String, Family>> scrapes, String sample, String... labels) {
        double total = 0;
        for (Map<String, Family> scrape : scrapes) {
            for (Family f : scrape.values()) {
                for (Sample s : f.samples()) {
                    if (!s.name().equals(sample)) continue;
                    boolean match = true;
                    for (String l : labels) {
                        String[] kv = l.split("=", 2);
                        if (!kv[1].equals(s.labels().get(kv[0]))) match = false;
                    }
                    if (match) total += s.value();
                }
            }
        }
        return total;
    }
}
