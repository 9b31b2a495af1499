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

/**
 * What the coord puts in its replicated log: a batch of changes to the tree stamped with the
 * proposer's clock (so every replica applies the same mtime), or a batch of session touches
 * (liveness that a future leader must know about; also a cheap barrier for {@code sync}).
 *
 * <p>Logs written before batching hold single changes (type 1); they decode as a batch of one.
 */
sealed interface CoordEntry {
    byte CHANGE = 1;
    byte TOUCH = 2;
    byte BATCH = 3;

    /**
     * Changes proposed together by one member ({@link ProposalBatcher}), applied in order; the
     * change at position {@code i} gets zxid {@link CoordStateMachine#zxid zxid(index, i)}.
     */
    record Batch(long timeMs, List<Txn> txns) implements CoordEntry {
        public Batch {
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
            case Batch b -> encodeBatch(b.timeMs(), b.txns().stream().map(Txn::encode).toList());
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
    static byte[] encodeBatch(long timeMs, List<byte[]> txns) {
        if (txns.isEmpty() || txns.size() > CoordStateMachine.MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 1 to " + CoordStateMachine.MAX_BATCH + " changes, not " + txns.size());
        }
        int size = 1 + 8 + 4;
        for (byte[] t : txns) size += 4 + t.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(BATCH);
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
                    yield new Batch(time, List.of(readTxn(in)));
                }
                case BATCH -> {
                    long time = in.readLong();
                    int n = in.readInt();
                    if (n < 1 || n > CoordStateMachine.MAX_BATCH) throw new IOException("bad batch size " + n);
                    List<Txn> txns = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) txns.add(readTxn(in));
                    yield new Batch(time, txns);
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
