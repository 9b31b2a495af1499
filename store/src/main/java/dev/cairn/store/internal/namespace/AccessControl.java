package dev.cairn.store.internal.namespace;

import dev.cairn.store.FsPermission;
import dev.cairn.store.FsPermission.Right;
import dev.cairn.store.FsPermission.Who;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * How an entry's owner, group and mode become the ACL of its znode, which coord enforces on every
 * namespace operation. The ACL is a function of the {@link Inode.Access} alone, so whoever
 * writes an inode (create, rename, chmod, chown) can set the matching ACL without reading the old
 * one.
 *
 * <p>In a secure cluster: the owner is {@code user:<owner>}, the group {@code group:<group>}, the
 * others {@code world:anyone} (coord gives a TLS session the ids {@code user:<CN>} and {@code
 * group:<g>} for each group its user certificate names; nodes and admins are super users and pass
 * every check). Read maps to ZooKeeper's READ (data and children), write to CREATE and DELETE of
 * children and WRITE of the data; execute has no counterpart (coord checks no path above the
 * entry). The owner always holds ADMIN, so it may chmod, and WRITE, so it may rewrite the inode
 * when it does. In plain mode the ACL stays open to anyone, as before, and the owner, group and
 * mode are only recorded.
 */
public final class AccessControl {
    private AccessControl() {}

    static final int READ = ZooDefs.Perms.READ;
    static final int WRITE = ZooDefs.Perms.WRITE | ZooDefs.Perms.CREATE | ZooDefs.Perms.DELETE;
    // Our own, not ZooDefs.Ids': that class's annotations are missing from the class path and warn.
    private static final Id ANYONE = new Id("world", "anyone");
    private static final List<ACL> OPEN = List.of(new ACL(ZooDefs.Perms.ALL, ANYONE));

    /** The ACL of an entry's znode. */
    public static List<ACL> acl(Inode.Access access, boolean secure) {
        if (!secure) return OPEN;
        FsPermission p = access.permission();
        List<ACL> out = new ArrayList<>(3);
        out.add(new ACL(
                perms(p, Who.OWNER) | ZooDefs.Perms.ADMIN | ZooDefs.Perms.WRITE, new Id("user", access.owner())));
        if (perms(p, Who.GROUP) != 0) out.add(new ACL(perms(p, Who.GROUP), new Id("group", access.group())));
        if (perms(p, Who.OTHER) != 0) out.add(new ACL(perms(p, Who.OTHER), ANYONE));
        return out;
    }

    /** The ACL of a writer's pending znode: only the writer (and super users) may change or read it. */
    static List<ACL> pendingAcl(String user, boolean secure) {
        if (!secure) return OPEN;
        return List.of(new ACL(ZooDefs.Perms.ALL, new Id("user", user)));
    }

    /**
     * The ACL of the chown guard: nobody but a super user may create under it, so a {@code multi}
     * that creates and deletes a child of it succeeds only for a super user.
     */
    static List<ACL> guardAcl() {
        return List.of(new ACL(ZooDefs.Perms.READ, ANYONE));
    }

    /**
     * Whether {@code access} grants {@code right} to a user with this name and groups — the same
     * decision coord makes on the ACL, for checks made outside coord (a store node serving a block).
     */
    public static boolean allows(Inode.Access access, String user, List<String> groups, Right right) {
        Who who = access.owner().equals(user) ? Who.OWNER : groups.contains(access.group()) ? Who.GROUP : Who.OTHER;
        // ZooKeeper takes the union of every entry that matches, not the first class as POSIX does.
        if (access.permission().allows(who, right)) return true;
        if (who == Who.OWNER
                && groups.contains(access.group())
                && access.permission().allows(Who.GROUP, right)) return true;
        return access.permission().allows(Who.OTHER, right);
    }

    private static int perms(FsPermission p, Who who) {
        return (p.allows(who, Right.READ) ? READ : 0) | (p.allows(who, Right.WRITE) ? WRITE : 0);
    }
}
