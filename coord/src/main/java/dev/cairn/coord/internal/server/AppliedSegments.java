package dev.cairn.coord.internal.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Part of the replicated state: for each run of a member (origin and incarnation), the highest
 * seq of its segments applied. A segment whose run already applied it or a later one is not
 * applied again ({@link #admit}).
 *
 * <p>Why: a member's segments reach the log in seq order on every path but one. A leader whose
 * entry Ratis answers "not leader" proposes it again through Ratis' client, yet Ratis also
 * answers so for entries it had appended before stepping down, which the next leader may still
 * commit — so one segment can arrive twice, or after a later segment of its member (forwarded to
 * the new leader meanwhile). Applying the copy again would repeat a sequential create or undo a
 * later write; applying it late would break the order a ZooKeeper session's changes must keep.
 * Deciding by seq in the state machine makes every replica drop the same copies, whichever path
 * they took. Segments of logs that named no run ({@link CoordEntry#NO_INCARNATION}) are always
 * applied.
 *
 * <p>Bounded: the runs least recently heard from are forgotten beyond {@link #MAX_RUNS} (a
 * member has a new run at each start), in log order, so identically on every replica. Not
 * thread-safe: used on the apply thread, and by snapshots under the state's lock.
 */
final class AppliedSegments {
    /** Runs remembered; more than a group's members times the restarts a resend can outlive. */
    static final int MAX_RUNS = 64;

    private static final int SNAPSHOT_MAGIC = 0x435a5331; // "CZS1"

    private record Run(String origin, long incarnation) {}

    /** Highest seq applied per run; iteration order is the order runs were last heard from. */
    private final LinkedHashMap<Run, Long> highest = new LinkedHashMap<>();

    /**
     * Records that a segment is about to be applied, unless its run already applied it or a later
     * one.
     *
     * @return whether to apply it
     */
    boolean admit(String origin, long incarnation, long seq) {
        if (incarnation == CoordEntry.NO_INCARNATION) return true;
        Run run = new Run(origin, incarnation);
        Long last = highest.remove(run);
        if (last != null && seq <= last) {
            highest.put(run, last);
            return false;
        }
        highest.put(run, seq);
        if (highest.size() > MAX_RUNS) {
            Iterator<Map.Entry<Run, Long>> eldest = highest.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    /** How many runs are remembered. */
    int runs() {
        return highest.size();
    }

    void writeSnapshot(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(highest.size());
        for (Map.Entry<Run, Long> e : highest.entrySet()) {
            out.writeUTF(e.getKey().origin());
            out.writeLong(e.getKey().incarnation());
            out.writeLong(e.getValue());
        }
    }

    /**
     * Reads what {@link #writeSnapshot} wrote; a stream that ends instead (a snapshot from before
     * runs were recorded) restores none.
     *
     * @throws IOException when something else follows
     */
    static AppliedSegments readSnapshot(DataInputStream in) throws IOException {
        AppliedSegments segments = new AppliedSegments();
        int first = in.read();
        if (first < 0) return segments;
        int magic = (first << 24) | (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        if (magic != SNAPSHOT_MAGIC)
            throw new IOException(
                    "not a coord snapshot: unexpected section " + Integer.toHexString(magic) + " after the tree");
        int n = in.readInt();
        if (n < 0 || n > MAX_RUNS) throw new IOException("not a coord snapshot: " + n + " member runs");
        for (int i = 0; i < n; i++) segments.highest.put(new Run(in.readUTF(), in.readLong()), in.readLong());
        if (in.read() >= 0) throw new IOException("not a coord snapshot: bytes after its end");
        return segments;
    }
}
