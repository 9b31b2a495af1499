package dev.cairn.common.security;

/**
 * An authenticated caller asked for something it holds no right to; nothing was changed. The
 * message names the caller, the missing right and what it was asked on, as in {@code permission
 * denied: user bob may not cancel job job-0001}. Over RPC it travels as PERMISSION_DENIED, over
 * HTTP as 403.
 */
public class PermissionDeniedException extends SecurityException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message) {
        super(message);
    }
}
