package dev.cairn.coord.internal.tree;

/** ZooKeeper's rules for znode paths (those of its {@code PathUtils.validatePath}). */
public final class Paths {
    private Paths() {}

    /** Why {@code path} is not a valid znode path, or null when it is. */
    public static String invalidReason(String path) {
        if (path == null) return "path must not be null";
        if (path.isEmpty()) return "path length must be > 0";
        if (path.charAt(0) != '/') return "path must start with / character";
        if (path.length() == 1) return null;
        if (path.charAt(path.length() - 1) == '/') return "path must not end with / character";
        char last = '/';
        for (int i = 1; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean endsName = i + 1 == path.length() || path.charAt(i + 1) == '/';
            if (c == 0) return "null character not allowed @" + i;
            if (c == '/' && last == '/') return "empty node name specified @" + i;
            if (c == '.' && last == '.' && path.charAt(i - 2) == '/' && endsName)
                return "relative paths not allowed @" + i;
            if (c == '.' && last == '/' && endsName) return "relative paths not allowed @" + i;
            if (c <= '\u001f'
                    || (c >= '\u007f' && c <= '\u009f')
                    || (c >= '\ud800' && c <= '\uf8ff')
                    || c >= '\ufff0') {
                return "invalid character @" + i;
            }
            last = c;
        }
        return null;
    }

    public static boolean isValid(String path) {
        return invalidReason(path) == null;
    }

    /** The parent's path; "/" for a child of the root. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
