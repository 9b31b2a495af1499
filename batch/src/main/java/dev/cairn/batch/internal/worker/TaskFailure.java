package dev.cairn.batch.internal.worker;

/** A task failed; the message says where (record, file, offset), the cause says why. */
class TaskFailure extends Exception {
    TaskFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
