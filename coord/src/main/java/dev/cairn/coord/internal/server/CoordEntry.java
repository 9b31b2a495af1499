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
 * What the coord puts in its replicated log: a change to the tree stamped with the proposer's
 * clock (so every replica applies the same mtime), or a batch of session touches (liveness that
 * a future leader must know about; also a cheap barrier for {@code sync}).
 */
sealed interface CoordEntry {
    byte CHANGE = 1;
    byte TOUCH = 2;

    record Change(long timeMs, Txn txn) implements CoordEntry {}

    record Touch(List<Long> sessionIds) implements CoordEntry {
        public Touch {
            sessionIds = List.copyOf(sessionIds);
        }
    }

    default byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            switch (this) {
                case Change c -> {
                    out.writeByte(CHANGE);
                    out.writeLong(c.timeMs());
                    byte[] txn = c.txn().encode();
                    out.writeInt(txn.length);
                    out.write(txn);
                }
                case Touch t -> {
                    out.writeByte(TOUCH);
                    out.writeInt(t.sessionIds().size());
                    for (long id : t.sessionIds()) out.writeLong(id);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CoordEntry decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte type = in.readByte();
            return switch (type) {
                case CHANGE -> {
                    long time = in.readLong();
                    byte[] txn = new byte[in.readInt()];
                    in.readFully(txn);
                    yield new Change(time, Txn.decode(txn));
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
}
