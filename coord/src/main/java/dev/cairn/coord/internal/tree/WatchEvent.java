package dev.cairn.coord.internal.tree;

/** A change that fires watches, with ZooKeeper's event type names. */
public record WatchEvent(Type type, String path) {
    public enum Type { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged }
}
