package dev.cairn.coord.internal.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Part of the replicated state: for each incarnation of a member (origin and incarnation), the
 * run of its segments applied last and the highest seq applied. {@link #admit} decides, the same
 * way on every replica, which segments are applied.
 *
 * <p>A segment that names a run ({@link CoordEntry.Segment#run}, the seq its run started at) is
 * applied only if it is the next one: the segment right after the last one applied in the same
 * run, or the first segment of a later run. So a run's segments apply in seq order with none
 * missing, and once a segment of a later run applied, no segment of an earlier run ever applies.
 * A segment that comes again, after a later one, after a missing one, or from a superseded run
 * is not applied, and its member fails it ({@link ProposalBatcher#dropped}) and starts a new run.
 *
 * <p>Why: a member's segments can reach the log out of order. A leader whose entry Ratis
 * answers "not leader" proposes it again through Ratis' client, yet Ratis also answers so for
 * entries it had appended before stepping down, which the next leader may still commit — so one
 * segment can arrive twice, or after a later one of its member. And a member that learns of a
 * new leader may forward segment n+1 to it while n, forwarded to the old leader, is lost. A
 * ZooKeeper session pipelines its changes, which must apply in the order it sent them with none
 * skipped: applying n+1 without n would apply a later change of a session whose earlier change
 * was lost. The member fails every segment of its not yet applied whenever one is lost, and
 * marks their connections lost (so none of their sessions' changes is in a later run but over
 * a new connection, after it learned of the failure): with this rule, a change whose outcome its
 * client does not know is applied, if ever, before any change the member proposes afterwards.
 * Deciding in the state machine makes every replica apply the same segments whichever path they
 * took.
 *
 * <p>Segments of older logs: those that name no run ({@link CoordEntry#NO_RUN}) are applied if
 * their seq is above the highest applied (gaps allowed, as before runs); those that name no
 * incarnation ({@link CoordEntry#NO_INCARNATION}) are always applied.
 *
 * <p>Bounded: the incarnations least recently heard from are forgotten beyond {@link #MAX_RUNS}
 * (a member has a new one at each start), in log order, so identically on every replica. Not
 * thread-safe: used on the apply thread, and by snapshots under the state's lock.
 */
final class AppliedSegments {
    /** Incarnations remembered; more than a group's members times the restarts a resend can outlive. */
    static final int MAX_RUNS = 64;

    /** Snapshots before runs: origin, incarnation, highest seq. */
    private static final int SNAPSHOT_MAGIC_V1 = 0x435a5331; // "CZS1"
    /** Origin, incarnation, run, highest seq. */
    private static final int SNAPSHOT_MAGIC = 0x435a5332; // "CZS2"

    private record Incarnation(String origin, long incarnation) {}

    /** The run applied last ({@link CoordEntry#NO_RUN} if none named one) and its highest seq. */
    private record Applied(long run, long highest) {}

    /** Per incarnation; iteration order is the order they were last heard from. */
    private final LinkedHashMap<Incarnation, Applied> applied = new LinkedHashMap<>();

    /** As {@link #admit(String, long, long, long)} for a segment that names no run. */
    boolean admit(String origin, long incarnation, long seq) {
        return admit(origin, incarnation, CoordEntry.NO_RUN, seq);
    }

    /**
     * Records that a segment is about to be applied, unless it is not the next one of its
     * incarnation (see the class comment).
     *
     * @return whether to apply it
     */
    boolean admit(String origin, long incarnation, long run, long seq) {
        if (incarnation == CoordEntry.NO_INCARNATION) return true;
        Incarnation key = new Incarnation(origin, incarnation);
        Applied last = applied.remove(key);
        boolean next;
        if (run == CoordEntry.NO_RUN) {
            next = last == null || seq > last.highest();
        } else if (last == null) {
            next = seq == run;
        } else if (run == last.run()) {
            next = seq == last.highest() + 1;
        } else {
            next = run > last.run() && seq == run && seq > last.highest();
        }
        if (!next) {
            if (last != null) applied.put(key, last);
            return false;
        }
        applied.put(key, new Applied(run, seq));
        if (applied.size() > MAX_RUNS) {
            Iterator<Map.Entry<Incarnation, Applied>> eldest =
                    applied.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    /** How many incarnations are remembered. */
    int runs() {
        return applied.size();
    }

    void writeSnapshot(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(applied.size());
        for (Map.Entry<Incarnation, Applied> e : applied.entrySet()) {
            out.writeUTF(e.getKey().origin());
            out.writeLong(e.getKey().incarnation());
            out.writeLong(e.getValue().run());
            out.writeLong(e.getValue().highest());
        }
    }

    /**
     * Reads what {@link #writeSnapshot} wrote, or its earlier version without runs (read as
     * {@link CoordEntry#NO_RUN}); a stream that ends instead (a snapshot from before segments
     * were recorded) restores none.
     *
     * @throws IOException when something else follows
     */
    static AppliedSegments readSnapshot(DataInputStream in) throws IOException {
        AppliedSegments segments = new AppliedSegments();
        int first = in.read();
        if (first < 0) return segments;
        int magic = (first << 24) | (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        if (magic != SNAPSHOT_MAGIC && magic != SNAPSHOT_MAGIC_V1)
            throw new IOException(
                    "not a coord snapshot: unexpected section " + Integer.toHexString(magic) + " after the tree");
        int n = in.readInt();
        if (n < 0 || n > MAX_RUNS) throw new IOException("not a coord snapshot: " + n + " member runs");
        for (int i = 0; i < n; i++) {
            Incarnation key = new Incarnation(in.readUTF(), in.readLong());
            long run = magic == SNAPSHOT_MAGIC ? in.readLong() : CoordEntry.NO_RUN;
            segments.applied.put(key, new Applied(run, in.readLong()));
        }
        if (in.read() >= 0) throw new IOException("not a coord snapshot: bytes after its end");
        return segments;
    }
}
