package dev.cairn.rpc;

/**
 * A call reached the remote node and failed there. Carries the remote exception's class name and
 * message, so callers can show "what went wrong, where" in one line.
 */
public class RemoteException extends RuntimeException {
    private final String target;
    private final String remoteClass;
    private final String code;

    public RemoteException(
            String target, String method, String code, String remoteClass, String message, Throwable cause) {
        super(message == null || message.isEmpty() ? code + " from " + target + " (" + method + ")" : message, cause);
        this.target = target;
        this.remoteClass = remoteClass;
        this.code = code;
    }

    /** host:port of the node that answered. */
    public String target() {
        return target;
    }

    /** Binary class name of the exception thrown on the remote node, or null when unknown. */
    public String remoteClass() {
        return remoteClass;
    }

    /** The transport's status code, e.g. INVALID_ARGUMENT, NOT_FOUND, INTERNAL. */
    public String code() {
        return code;
    }
}
