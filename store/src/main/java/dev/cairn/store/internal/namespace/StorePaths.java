package dev.cairn.store.internal.namespace;

import java.util.ArrayList;
import java.util.List;

/**
 * Store paths: absolute, '/'-separated, as users write them ({@code /data/in.txt}, or with the
 * scheme, {@code cairn:///data/in.txt}), normalized to one form, and mapped to znode paths.
 */
public final class StorePaths {
    private StorePaths() {}

    /**
     * The normal form of a store path: leading '/', no trailing '/', no empty segments.
     *
     * @throws IllegalArgumentException for relative paths, '.' or '..' segments, control characters
     */
    public static String normalize(String path) {
        if (path == null || path.isEmpty()) throw new IllegalArgumentException("empty store path");
        String p = path;
        if (p.startsWith("cairn://")) {
            p = p.substring("cairn://".length());
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("store path '" + path
                        + "': write cairn:///dir/file (the cluster comes from the coord connect string, not the URI)");
            }
        } else if (p.startsWith("cairn:")) {
            p = p.substring("cairn:".length());
        }
        if (!p.startsWith("/"))
            throw new IllegalArgumentException("store path '" + path + "' is not absolute (it must start with /)");
        List<String> segments = new ArrayList<>();
        for (String s : p.split("/", -1)) {
            if (s.isEmpty()) continue;
            if (s.equals(".") || s.equals(".."))
                throw new IllegalArgumentException("store path '" + path + "' has a '" + s + "' segment");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
                    throw new IllegalArgumentException("store path '" + path
                            + "' has a control or reserved character at " + i + " of '" + s + "'");
                }
            }
            segments.add(s);
        }
        return "/" + String.join("/", segments);
    }

    /** The parent of a normalized path; the root's parent is the root. */
    public static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    /** The last segment of a normalized path ("" for the root). */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** Whether {@code path} is {@code ancestor} or lies under it. */
    public static boolean isWithin(String path, String ancestor) {
        return path.equals(ancestor) || ancestor.equals("/") || path.startsWith(ancestor + "/");
    }
}
