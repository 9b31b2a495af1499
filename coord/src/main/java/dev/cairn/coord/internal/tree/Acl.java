package dev.cairn.coord.internal.tree;

import java.util.List;
import java.util.Objects;

/** One ACL entry: a bit set of permissions granted to an identity. */
public record Acl(int perms, Id id) {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int CREATE = 4;
    public static final int DELETE = 8;
    public static final int ADMIN = 16;
    public static final int ALL = READ | WRITE | CREATE | DELETE | ADMIN;

    /** ZooKeeper's {@code OPEN_ACL_UNSAFE}. */
    public static final List<Acl> OPEN = List.of(new Acl(ALL, Id.ANYONE));
    /** ZooKeeper's {@code READ_ACL_UNSAFE}. */
    public static final List<Acl> READ_ONLY = List.of(new Acl(READ, Id.ANYONE));

    public Acl {
        Objects.requireNonNull(id, "id");
    }
}
