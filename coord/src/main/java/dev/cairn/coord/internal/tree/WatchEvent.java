package dev.cairn.coord.internal.tree;

import java.util.List;
import java.util.Objects;

/**
 * A change that fires watches, with ZooKeeper's event type names, and the ACL of the node it is
 * about (the changed node's, or the parent's for NodeChildrenChanged) when it happened: like
 * ZooKeeper 3.9, a server delivers a notification only to clients that may read that node.
 */
public record WatchEvent(Type type, String path, List<Acl> acl) {
    public enum Type {
        NodeCreated,
        NodeDeleted,
        NodeDataChanged,
        NodeChildrenChanged
    }

    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        acl = List.copyOf(acl);
    }

    /** Whether a client with these identities may be told of this event (READ permission on the node). */
    public boolean visibleTo(List<Id> clientIds) {
        return Acls.permits(acl, Acl.READ, clientIds);
    }
}
