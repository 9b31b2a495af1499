package dev.cairn.coord.internal.server;

import dev.cairn.coord.internal.tree.Acl;
import dev.cairn.coord.internal.tree.Id;
import dev.cairn.coord.internal.tree.Stat;
import java.util.List;
import org.apache.zookeeper.data.ACL;

/** Conversions between ZooKeeper's wire records and the tree's own values. */
final class Jute {
    private Jute() {}

    static org.apache.zookeeper.data.Stat stat(Stat s) {
        return new org.apache.zookeeper.data.Stat(
                s.czxid(),
                s.mzxid(),
                s.ctime(),
                s.mtime(),
                s.version(),
                s.cversion(),
                s.aversion(),
                s.ephemeralOwner(),
                s.dataLength(),
                s.numChildren(),
                s.pzxid());
    }

    static List<Acl> acl(List<ACL> acl) {
        return acl == null
                ? List.of()
                : acl.stream()
                        .map(a -> new Acl(
                                a.getPerms(),
                                new Id(a.getId().getScheme(), a.getId().getId())))
                        .toList();
    }

    static List<ACL> jute(List<Acl> acl) {
        return acl.stream()
                .map(a -> new ACL(a.perms(), new org.apache.zookeeper.data.Id(a.id().scheme(), a.id().id())))
                .toList();
    }
}
