package dev.cairn.coord.internal.tree;

import java.util.List;

/** A read of one znode. {@code data} is shared with the tree: callers must not modify it; null when the node was given null data. */
@SuppressWarnings("ArrayRecordComponent") // carries the data as it is; nothing compares or hashes it
public record NodeView(byte[] data, Stat stat, List<Acl> acl) {}
