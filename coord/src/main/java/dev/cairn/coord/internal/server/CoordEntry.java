package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.tree.Txn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the coord puts in its replicated log: a batch of changes to the tree stamped with the
 * leader's clock (so every replica applies the same mtime), or a batch of session touches
 * (liveness that a future leader must know about; also a cheap barrier for {@code sync}).
 *
 * <p>A batch is made of {@linkplain Segment segments}, each the changes one member's clients
 * proposed ({@link ProposalBatcher}): the leader forms one entry a round from its own changes and
 * those the other members forwarded to it, and each member learns the results of its own
 * segments by applying the entry.
 *
 * <p>Older logs decode as a batch of one segment that no member waits for: single changes
 * (type 1), batches without an origin (type 3) and batches of one origin (type 4); batches of
 * segments that name no run (type 5, before 12-08) decode with {@link #NO_RUN}.
 */
sealed interface CoordEntry {
    byte CHANGE = 1;
    byte TOUCH = 2;
    byte BATCH = 3;
    byte ORIGIN_BATCH = 4;
    /** Segments without a run (before 12-08); still decoded, no longer written. */
    byte SEGMENTED_BATCH = 5;
    /** Segments that name their run ({@link Segment#run}). */
    byte RUN_BATCH = 6;
    /** The origin of entries from logs that did not record one: no member is waiting for their results. */
    String NO_ORIGIN = "";
    /** The incarnation of segments from logs that did not record one; no running member has it. */
    long NO_INCARNATION = 0;
    /**
     * The run of segments from logs that did not record one: they are applied if their seq is
     * above the highest applied of their incarnation, gaps allowed ({@link AppliedSegments}).
     */
    long NO_RUN = 0;

    /**
     * Changes proposed through the member {@code origin}, in the order its clients proposed them.
     * {@code incarnation} tells that member's runs apart (it picks a new one at each start), and
     * {@code seq} tells its segments apart within a run: together they name the clients waiting
     * for the results, and a member restarted after proposing a segment never mistakes it for
     * one of its own. {@code run} is the seq of the first segment of the member's current run of
     * unbroken segments (a new one starts after any of its segments is lost): the state applies
     * a run's segments only with no seq missing, and none of a run once a later run of the same
     * incarnation was applied ({@link AppliedSegments}); {@link #NO_RUN} in older logs.
     */
    record Segment(String origin, long incarnation, long run, long seq, List<Txn> txns) {
        /** A segment that names no run, as older logs hold. */
        Segment(String origin, long incarnation, long seq, List<Txn> txns) {
            this(origin, incarnation, NO_RUN, seq, txns);
        }

        public Segment {
            Objects.requireNonNull(origin, "origin");
            txns = List.copyOf(txns);
            if (txns.isEmpty() || txns.size() > CoordStateMachine.MAX_BATCH) {
                throw new IllegalArgumentException(
                        "a segment holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + txns.size());
            }
        }

        byte[] encode() {
            return encodeSegment(
                    origin,
                    incarnation,
                    run,
                    seq,
                    txns.stream().map(Txn::encode).toList());
        }
    }

    /**
     * Segments applied in order; the changes are numbered across segments, and the change at
     * position {@code i} gets zxid {@link CoordStateMachine#zxid zxid(index, i)}.
     */
    record Batch(long timeMs, List<Segment> segments) implements CoordEntry {
        public Batch {
            segments = List.copyOf(segments);
            int changes = segments.stream().mapToInt(s -> s.txns().size()).sum();
            if (segments.isEmpty() || changes > CoordStateMachine.MAX_BATCH) {
                throw new IllegalArgumentException(
                        "a batch holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + changes);
            }
        }
    }

    record Touch(List<Long> sessionIds) implements CoordEntry {
        public Touch {
            sessionIds = List.copyOf(sessionIds);
        }
    }

    default byte[] encode() {
        return switch (this) {
            case Batch b ->
                encodeBatch(
                        b.timeMs(), b.segments().stream().map(Segment::encode).toList());
            case Touch t -> {
                ByteArrayOutputStream bytes =
                        new ByteArrayOutputStream(5 + 8 * t.sessionIds().size());
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.writeByte(TOUCH);
                    out.writeInt(t.sessionIds().size());
                    for (long id : t.sessionIds()) out.writeLong(id);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield bytes.toByteArray();
            }
        };
    }

    /** A {@link Segment} of transactions already {@linkplain Txn#encode encoded} (by their proposers' threads). */
    static byte[] encodeSegment(String origin, long incarnation, long run, long seq, List<byte[]> txns) {
        if (txns.isEmpty() || txns.size() > CoordStateMachine.MAX_BATCH) {
            throw new IllegalArgumentException(
                    "a segment holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + txns.size());
        }
        int size = 2 + origin.length() * 3 + 8 + 8 + 8 + 4;
        for (byte[] t : txns) size += 4 + t.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(origin);
            out.writeLong(incarnation);
            out.writeLong(run);
            out.writeLong(seq);
            out.writeInt(txns.size());
            for (byte[] t : txns) {
                out.writeInt(t.length);
                out.write(t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A {@link Batch} of segments already {@linkplain #encodeSegment encoded}, copied as they are. */
    static byte[] encodeBatch(long timeMs, List<byte[]> segments) {
        if (segments.isEmpty()) throw new IllegalArgumentException("a batch holds at least one segment");
        int size = 1 + 8 + 4;
        for (byte[] s : segments) size += s.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(RUN_BATCH);
            out.writeLong(timeMs);
            out.writeInt(segments.size());
            for (byte[] s : segments) out.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes one segment, as {@link #encodeSegment} wrote it; what a leader checks of a segment
     * another member forwarded before it lets it into the log.
     *
     * @throws IllegalArgumentException when the bytes are not exactly one well-formed segment
     */
    static Segment decodeSegment(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            Segment s = readSegment(in, true);
            if (in.available() != 0) throw new IOException(in.available() + " bytes after the segment");
            return s;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed segment: " + e.getMessage(), e);
        }
    }

    static CoordEntry decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte type = in.readByte();
            return switch (type) {
                case CHANGE -> {
                    long time = in.readLong();
                    yield new Batch(time, List.of(new Segment(NO_ORIGIN, NO_INCARNATION, 0, List.of(readTxn(in)))));
                }
                case BATCH, ORIGIN_BATCH -> {
                    String origin = type == ORIGIN_BATCH ? in.readUTF() : NO_ORIGIN;
                    long time = in.readLong();
                    yield new Batch(time, List.of(new Segment(origin, NO_INCARNATION, 0, readTxns(in))));
                }
                case SEGMENTED_BATCH, RUN_BATCH -> {
                    long time = in.readLong();
                    int n = in.readInt();
                    if (n < 1 || n > CoordStateMachine.MAX_BATCH) throw new IOException("bad segment count " + n);
                    List<Segment> segments = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) segments.add(readSegment(in, type == RUN_BATCH));
                    yield new Batch(time, segments);
                }
                case TOUCH -> {
                    int n = in.readInt();
                    List<Long> ids = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) ids.add(in.readLong());
                    yield new Touch(ids);
                }
                default -> throw new IllegalArgumentException("unknown coord log entry type " + type);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt coord log entry", e);
        }
    }

    private static Segment readSegment(DataInputStream in, boolean withRun) throws IOException {
        String origin = in.readUTF();
        long incarnation = in.readLong();
        long run = withRun ? in.readLong() : NO_RUN;
        long seq = in.readLong();
        return new Segment(origin, incarnation, run, seq, readTxns(in));
    }

    private static List<Txn> readTxns(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > CoordStateMachine.MAX_BATCH) throw new IOException("bad batch size " + n);
        List<Txn> txns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) txns.add(readTxn(in));
        return txns;
    }

    private static Txn readTxn(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IOException("bad transaction length " + n);
        byte[] txn = new byte[n];
        in.readFully(txn);
        return Txn.decode(txn);
    }
}
