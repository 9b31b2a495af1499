package dev.cairn.coord.internal.raft;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A deterministic state machine that a {@link RaftMember} keeps identical on every member: the
 * same committed entries, applied in log order, produce the same state and the same replies.
 *
 * <p>All methods are called by one thread at a time, the member's apply thread. Implementations
 * must not read clocks or randomness while applying: whatever an entry needs (a timestamp, an
 * id) was decided by the proposer and is inside the entry.
 */
public interface ReplicatedState {
    /**
     * Applies one committed entry.
     *
     * @param index the entry's position in the replicated log, strictly increasing
     * @return the reply delivered to whoever proposed the entry
     */
    byte[] apply(long index, byte[] entry);

    /** Writes the whole state; {@link #readSnapshot} of these bytes must restore it exactly. */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Replaces the whole state with a snapshot's.
     *
     * @param index the log index of the last entry the snapshot includes
     */
    void readSnapshot(long index, InputStream in) throws IOException;
}
