package dev.cairn.store;

import java.nio.file.AccessDeniedException;

/**
 * A store operation refused because its user lacks a right on a path; nothing was changed. The
 * message is one line: {@code permission denied: <user> needs <right> on <path>}.
 */
public final class PermissionDeniedException extends AccessDeniedException {
    private static final long serialVersionUID = 1L;

    /** The right the user lacked: read, write, execute, or ownership (chmod) or admin (chown). */
    private final String right;

    private final String user;

    /**
     * @param path  the store path (not a znode)
     * @param user  who was refused
     * @param right what they lacked on {@code path}
     */
    public PermissionDeniedException(String path, String user, String right) {
        super(path, null, "permission denied: " + user + " needs " + right + " on " + path);
        this.user = user;
        this.right = right;
    }

    public String user() {
        return user;
    }

    public String right() {
        return right;
    }

    @Override
    public String getMessage() {
        return getReason();
    }
}
