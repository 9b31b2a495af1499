package dev.cairn.batch;

/**
 * A worker as the master sees it.
 *
 * @param state ALIVE, or DEAD once no heartbeat arrived within the master's worker timeout
 */
public record WorkerStatus(
        String workerId, String endpoint, String state, int slots, int running, long lastHeartbeatMsAgo) {}
