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
 * proposer's clock (so every replica applies the same mtime), or a batch of session touches
 * (liveness that a future leader must know about; also a cheap barrier for {@code sync}).
 *
 * <p>Logs written before batching hold single changes (type 1); they decode as a batch of one.
 * Batches written before they named their proposer (type 3) decode with origin {@link #NO_ORIGIN}.
 */
sealed interface CoordEntry {
    byte CHANGE = 1;
    byte TOUCH = 2;
    byte BATCH = 3;
    byte ORIGIN_BATCH = 4;
    /** The origin of entries from logs that did not record one: no member is waiting for their results. */
    String NO_ORIGIN = "";

    /**
     * Changes proposed together by the member {@code origin} ({@link ProposalBatcher}), applied in
     * order; the change at position {@code i} gets zxid {@link CoordStateMachine#zxid zxid(index, i)}.
     * Only the origin keeps the changes' results, for the clients waiting for them.
     */
    record Batch(String origin, long timeMs, List<Txn> txns) implements CoordEntry {
        public Batch {
            Objects.requireNonNull(origin, "origin");
            txns = List.copyOf(txns);
            if (txns.isEmpty() || txns.size() > CoordStateMachine.MAX_BATCH) {
                throw new IllegalArgumentException("a batch holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + txns.size());
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
            case Batch b -> encodeBatch(b.origin(), b.timeMs(), b.txns().stream().map(Txn::encode).toList());
            case Touch t -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(5 + 8 * t.sessionIds().size());
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

    /** A {@link Batch} of transactions already {@linkplain Txn#encode encoded} (by their proposers' threads). */
    static byte[] encodeBatch(String origin, long timeMs, List<byte[]> txns) {
        if (txns.isEmpty() || txns.size() > CoordStateMachine.MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + txns.size());
        }
        int size = 1 + 2 + origin.length() * 3 + 8 + 4;
        for (byte[] t : txns) size += 4 + t.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ORIGIN_BATCH);
            out.writeUTF(origin);
            out.writeLong(timeMs);
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

    static CoordEntry decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte type = in.readByte();
            return switch (type) {
                case CHANGE -> {
                    long time = in.readLong();
                    yield new Batch(NO_ORIGIN, time, List.of(readTxn(in)));
                }
                case BATCH, ORIGIN_BATCH -> {
                    String origin = type == ORIGIN_BATCH ? in.readUTF() : NO_ORIGIN;
                    long time = in.readLong();
                    int n = in.readInt();
                    if (n < 1 || n > CoordStateMachine.MAX_BATCH) throw new IOException("bad batch size " + n);
                    List<Txn> txns = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) txns.add(readTxn(in));
                    yield new Batch(origin, time, txns);
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

    private static Txn readTxn(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IOException("bad transaction length " + n);
        byte[] txn = new byte[n];
        in.readFully(txn);
        return Txn.decode(txn);
    }
}
