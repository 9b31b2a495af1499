package dev.cairn.common.fs;

import java.util.List;

/**
 * A user as file permissions see one: a name and the groups it belongs to. A job is checked as its
 * owner at submission ({@link FileSystem#checkRead}, {@link FileSystem#checkCreate}).
 *
 * @param name the user's name, as the store records owners
 * @param groups the groups the user belongs to (for a certificate, its {@code OU=group:G} entries)
 */
public record FsUser(String name, List<String> groups) {
    public FsUser {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a user needs a name");
        groups = List.copyOf(groups);
    }
}
