package dev.cairn.coord.internal.tree;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The binary form of {@link Txn}s in the log, and of ACLs and byte strings in snapshots. */
final class TxnCodec {
    private static final byte CREATE_SESSION = 1;
    private static final byte CLOSE_SESSION = 2;
    private static final byte CREATE = 3;
    private static final byte DELETE = 4;
    private static final byte DELETE_CONTAINER = 5;
    private static final byte SET_DATA = 6;
    private static final byte SET_ACL = 7;
    private static final byte CHECK = 8;
    private static final byte MULTI = 9;
    /** A session with a password of its own; {@link #CREATE_SESSION} is the older kind, without. */
    private static final byte CREATE_SESSION_WITH_PASSWORD = 10;
    /** Far above any real multi; guards allocation against corrupt input. */
    private static final int MAX_LIST = 1 << 20;

    private TxnCodec() {}

    static void write(DataOutput out, Txn txn) throws IOException {
        switch (txn) {
            case Txn.CreateSession t -> {
                out.writeByte(t.password() == null ? CREATE_SESSION : CREATE_SESSION_WITH_PASSWORD);
                out.writeLong(t.sessionId());
                out.writeInt(t.timeoutMs());
                if (t.password() != null) out.write(t.password());
            }
            case Txn.CloseSession t -> {
                out.writeByte(CLOSE_SESSION);
                out.writeLong(t.sessionId());
            }
            case Txn.Create t -> {
                out.writeByte(CREATE);
                writeString(out, t.path());
                writeNullableBytes(out, t.data());
                writeAcl(out, t.acl());
                out.writeByte(t.mode().flag());
                out.writeLong(t.ttlMs());
                out.writeLong(t.sessionId());
                writeIds(out, t.auth());
            }
            case Txn.Delete t -> {
                out.writeByte(DELETE);
                writeString(out, t.path());
                out.writeInt(t.version());
                writeIds(out, t.auth());
            }
            case Txn.DeleteContainer t -> {
                out.writeByte(DELETE_CONTAINER);
                writeString(out, t.path());
            }
            case Txn.SetData t -> {
                out.writeByte(SET_DATA);
                writeString(out, t.path());
                writeNullableBytes(out, t.data());
                out.writeInt(t.version());
                writeIds(out, t.auth());
            }
            case Txn.SetAcl t -> {
                out.writeByte(SET_ACL);
                writeString(out, t.path());
                writeAcl(out, t.acl());
                out.writeInt(t.version());
                writeIds(out, t.auth());
            }
            case Txn.Check t -> {
                out.writeByte(CHECK);
                writeString(out, t.path());
                out.writeInt(t.version());
                writeIds(out, t.auth());
            }
            case Txn.Multi t -> {
                out.writeByte(MULTI);
                out.writeInt(t.ops().size());
                for (Txn op : t.ops()) write(out, op);
            }
        }
    }

    static Txn read(DataInput in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case CREATE_SESSION -> new Txn.CreateSession(in.readLong(), in.readInt());
            case CREATE_SESSION_WITH_PASSWORD -> {
                long id = in.readLong();
                int timeout = in.readInt();
                byte[] password = new byte[Txn.CreateSession.PASSWORD_BYTES];
                in.readFully(password);
                yield new Txn.CreateSession(id, timeout, password);
            }
            case CLOSE_SESSION -> new Txn.CloseSession(in.readLong());
            case CREATE -> {
                String path = readString(in);
                byte[] data = readNullableBytes(in);
                List<Acl> acl = readAcl(in);
                CreateMode mode = CreateMode.fromFlag(in.readByte());
                yield new Txn.Create(path, data, acl, mode, in.readLong(), in.readLong(), readIds(in));
            }
            case DELETE -> new Txn.Delete(readString(in), in.readInt(), readIds(in));
            case DELETE_CONTAINER -> new Txn.DeleteContainer(readString(in));
            case SET_DATA -> new Txn.SetData(readString(in), readNullableBytes(in), in.readInt(), readIds(in));
            case SET_ACL -> new Txn.SetAcl(readString(in), readAcl(in), in.readInt(), readIds(in));
            case CHECK -> new Txn.Check(readString(in), in.readInt(), readIds(in));
            case MULTI -> {
                int n = count(in);
                List<Txn> ops = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) ops.add(read(in));
                yield new Txn.Multi(ops);
            }
            default -> throw new IOException("unknown transaction type " + type);
        };
    }

    static void writeString(DataOutput out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    static void writeBytes(DataOutput out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 30)) throw new IOException("bad length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Like {@link #writeBytes}, with length -1 for null (as jute does). */
    static void writeNullableBytes(DataOutput out, byte[] b) throws IOException {
        if (b == null) out.writeInt(-1);
        else writeBytes(out, b);
    }

    static byte[] readNullableBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n == -1) return null;
        if (n < 0 || n > (1 << 30)) throw new IOException("bad length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void writeAcl(DataOutput out, List<Acl> acl) throws IOException {
        out.writeInt(acl.size());
        for (Acl a : acl) {
            out.writeInt(a.perms());
            writeString(out, a.id().scheme());
            writeString(out, a.id().id());
        }
    }

    static List<Acl> readAcl(DataInput in) throws IOException {
        int n = count(in);
        List<Acl> acl = new ArrayList<>(n);
        for (int i = 0; i < n; i++) acl.add(new Acl(in.readInt(), new Id(readString(in), readString(in))));
        return acl;
    }

    private static void writeIds(DataOutput out, List<Id> ids) throws IOException {
        out.writeInt(ids.size());
        for (Id id : ids) {
            writeString(out, id.scheme());
            writeString(out, id.id());
        }
    }

    private static List<Id> readIds(DataInput in) throws IOException {
        int n = count(in);
        List<Id> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ids.add(new Id(readString(in), readString(in)));
        return ids;
    }

    private static int count(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_LIST) throw new IOException("bad count " + n);
        return n;
    }
}
