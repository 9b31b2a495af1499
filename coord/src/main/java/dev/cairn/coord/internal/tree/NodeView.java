package dev.cairn.coord.internal.tree;

import java.util.List;

/** A read of one znode. {@code data} is shared with the tree: callers must not modify it; null when the node was given null data. */
public record NodeView(byte[] data, Stat stat, List<Acl> acl) {}
