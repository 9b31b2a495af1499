package dev.cairn.common.fs;

/**
 * Takes apart and builds the paths {@link FileSystem}s use: {@code [scheme:[//authority]]/a/b}.
 * A path has a scheme when it starts with a letter and two or more scheme characters before a
 * ':' ({@code cairn:}, {@code file:}); a one-letter prefix would be a Windows drive.
 */
public final class FsPaths {
    private FsPaths() {}

    /** The scheme in lower case, or null for a plain path. */
    public static String scheme(String path) {
        int colon = path.indexOf(':');
        if (colon < 2) return null;
        for (int i = 0; i < colon; i++) {
            char c = path.charAt(i);
            boolean ok = (Character.isLetter(c) && c < 0x80)
                    || (i > 0 && (Character.isDigit(c) || c == '+' || c == '-' || c == '.'));
            if (!ok) return null;
        }
        return path.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
    }

    /** The directory holding {@code path}; the root is its own parent. */
    public static String parent(String path) {
        int root = rootIndex(path);
        int slash = path.lastIndexOf('/');
        if (slash <= root) return path.substring(0, root + 1);
        return path.substring(0, slash);
    }

    /** The last segment of {@code path}; "" for a root. */
    public static String name(String path) {
        int root = rootIndex(path);
        int slash = path.lastIndexOf('/');
        return slash < root ? "" : path.substring(slash + 1);
    }

    /** {@code name} inside directory {@code dir}. */
    public static String child(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** Index of the '/' that starts the path proper, after {@code scheme:} and {@code //authority}. */
    private static int rootIndex(String path) {
        String scheme = scheme(path);
        int i = scheme == null ? 0 : scheme.length() + 1;
        if (path.startsWith("//", i)) {
            int slash = path.indexOf('/', i + 2);
            return slash < 0 ? path.length() : slash;
        }
        return i;
    }
}
