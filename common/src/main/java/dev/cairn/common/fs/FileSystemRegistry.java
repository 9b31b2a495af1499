package dev.cairn.common.fs;

import java.util.HashMap;
import java.util.Map;

/**
 * Which {@link FileSystem} serves which scheme. A plain path (no scheme) and {@code file:} go to
 * {@link LocalFileSystem}; other schemes to what the node registered, and a scheme it could not
 * register fails with the reason it recorded. Immutable.
 */
public final class FileSystemRegistry {
    private final Map<String, FileSystem> bySchemes;
    private final Map<String, String> unavailable;

    private FileSystemRegistry(Map<String, FileSystem> bySchemes, Map<String, String> unavailable) {
        this.bySchemes = Map.copyOf(bySchemes);
        this.unavailable = Map.copyOf(unavailable);
    }

    /** Local files only. */
    public static FileSystemRegistry local() {
        return new FileSystemRegistry(Map.of(LocalFileSystem.SCHEME, LocalFileSystem.INSTANCE), Map.of());
    }

    /** This registry plus {@code fs} for its scheme. */
    public FileSystemRegistry with(FileSystem fs) {
        Map<String, FileSystem> m = new HashMap<>(bySchemes);
        m.put(fs.scheme(), fs);
        Map<String, String> u = new HashMap<>(unavailable);
        u.remove(fs.scheme());
        return new FileSystemRegistry(m, u);
    }

    /** This registry, recording why {@code scheme} has no file system here (the error names it). */
    public FileSystemRegistry unavailable(String scheme, String reason) {
        Map<String, String> u = new HashMap<>(unavailable);
        u.put(scheme, reason);
        return new FileSystemRegistry(bySchemes, u);
    }

    /**
     * Whether this registry has a file system for the scheme of {@code path} or a reason why it
     * has none, so that {@link #forPath} answers for it rather than "unknown scheme".
     */
    public boolean knows(String path) {
        String scheme = FsPaths.scheme(path);
        String s = scheme == null ? LocalFileSystem.SCHEME : scheme;
        return bySchemes.containsKey(s) || unavailable.containsKey(s);
    }

    /**
     * The file system of {@code path}.
     *
     * @throws IllegalArgumentException naming the path and the reason, when its scheme has none here
     */
    public FileSystem forPath(String path) {
        String scheme = FsPaths.scheme(path);
        FileSystem fs = bySchemes.get(scheme == null ? LocalFileSystem.SCHEME : scheme);
        if (fs != null) return fs;
        String reason = unavailable.getOrDefault(
                scheme,
                "unknown scheme; known: "
                        + String.join(", ", bySchemes.keySet().stream().sorted().toList()));
        throw new IllegalArgumentException("no file system for scheme " + scheme + " (" + path + "): " + reason);
    }
}
