package dev.cairn.coord.internal.tree;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * A change to the coord's state as it travels through the replicated log. A transaction carries
 * the request as the client made it (with the proposer's view of the client's identities), not a
 * precomputed outcome: every replica validates and applies it against the same state and so
 * reaches the same result. {@code auth} lists the identities the client has authenticated as.
 */
public sealed interface Txn {
    /**
     * Opens a session.
     *
     * @param password what a client must present to resume the session on another connection,
     *     drawn at random by the member that proposed it; null in entries logged before sessions
     *     had passwords of their own (theirs is then derived from the id, as ZooKeeper derives it)
     */
    @SuppressWarnings("ArrayRecordComponent") // compared by content below
    record CreateSession(long sessionId, int timeoutMs, byte[] password) implements Txn {
        public CreateSession {
            if (password != null && password.length != PASSWORD_BYTES)
                throw new IllegalArgumentException("a session password has " + PASSWORD_BYTES + " bytes");
        }

        /** A session of the older kind, whose password is derived from its id. */
        public CreateSession(long sessionId, int timeoutMs) {
            this(sessionId, timeoutMs, null);
        }

        /** The length of a session password, as ZooKeeper's. */
        public static final int PASSWORD_BYTES = 16;

        @Override
        public boolean equals(Object o) {
            return o instanceof CreateSession c
                    && c.sessionId == sessionId
                    && c.timeoutMs == timeoutMs
                    && java.util.Arrays.equals(c.password, password);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sessionId) * 31 + timeoutMs;
        }

        @Override
        public String toString() {
            // Never the password: transactions appear in logs.
            return "CreateSession[sessionId=0x" + Long.toHexString(sessionId) + ", timeoutMs=" + timeoutMs + "]";
        }
    }

    record CloseSession(long sessionId) implements Txn {}

    /**
     * Creates a node.
     * @param data  null is kept as null (ZooKeeper tells null data from empty data)
     * @param ttlMs the time to live of a TTL node; -1 for every other mode
     */
    @SuppressWarnings("ArrayRecordComponent") // carries the data as it is; nothing compares or hashes it
    record Create(String path, byte[] data, List<Acl> acl, CreateMode mode, long ttlMs, long sessionId, List<Id> auth)
            implements Txn {
        public Create {
            Objects.requireNonNull(path, "path");
            acl = acl == null ? List.of() : List.copyOf(acl);
            Objects.requireNonNull(mode, "mode");
            auth = List.copyOf(auth);
        }
    }

    /** Deletes a node; {@code version} is the expected data version, -1 for any. */
    record Delete(String path, int version, List<Id> auth) implements Txn {
        public Delete {
            Objects.requireNonNull(path, "path");
            auth = List.copyOf(auth);
        }
    }

    /** Removes an emptied container or an expired TTL node; proposed by the leader only. */
    record DeleteContainer(String path) implements Txn {
        public DeleteContainer {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Sets a node's data; null is kept as null, as in {@link Create}. */
    @SuppressWarnings("ArrayRecordComponent") // carries the data as it is; nothing compares or hashes it
    record SetData(String path, byte[] data, int version, List<Id> auth) implements Txn {
        public SetData {
            Objects.requireNonNull(path, "path");
            auth = List.copyOf(auth);
        }
    }

    /** Sets a node's ACL; {@code version} is the expected ACL version (aversion), -1 for any. */
    record SetAcl(String path, List<Acl> acl, int version, List<Id> auth) implements Txn {
        public SetAcl {
            Objects.requireNonNull(path, "path");
            acl = acl == null ? List.of() : List.copyOf(acl);
            auth = List.copyOf(auth);
        }
    }

    record Check(String path, int version, List<Id> auth) implements Txn {
        public Check {
            Objects.requireNonNull(path, "path");
            auth = List.copyOf(auth);
        }
    }

    /** All or nothing; only Create, Delete, SetData and Check may appear inside. */
    record Multi(List<Txn> ops) implements Txn {
        public Multi {
            ops = List.copyOf(ops);
        }
    }

    default byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            TxnCodec.write(out, this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes a transaction; IllegalArgumentException when the bytes are not an encoded one. */
    static Txn decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            Txn txn = TxnCodec.read(in);
            if (in.read() != -1) throw new IllegalArgumentException("trailing bytes after a coord transaction");
            return txn;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt coord transaction: " + e, e);
        }
    }
}
