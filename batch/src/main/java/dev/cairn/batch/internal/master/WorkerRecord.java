package dev.cairn.batch.internal.master;

import java.util.HashSet;
import java.util.Set;

/** A registered worker, as the master tracks it. Owned by the master's loop thread. */
final class WorkerRecord {
    final String id;
    final String endpoint;
    final int slots;
    long lastHeartbeatNanos;
    boolean alive = true;
    /** Attempts the master placed here and has not seen end. */
    final Set<AttemptRef> running = new HashSet<>();
    /** Re-splits to ask of this worker's attempts in the response to its next heartbeat. */
    final java.util.List<dev.cairn.batch.internal.proto.SplitRequest> splitRequests = new java.util.ArrayList<>();

    WorkerRecord(String id, String endpoint, int slots, long nowNanos) {
        this.id = id;
        this.endpoint = endpoint;
        this.slots = slots;
        this.lastHeartbeatNanos = nowNanos;
    }

    @Override
    public String toString() {
        return id + " (" + endpoint + ")";
    }
}
