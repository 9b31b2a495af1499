package dev.cairn.rpc;

/** The remote node could not be reached (refused, reset, or not answering), or the call ran past its deadline. */
public class RpcUnavailableException extends RemoteException {
    public RpcUnavailableException(String target, String method, String code, String message, Throwable cause) {
        super(target, method, code, null, message, cause);
    }
}
