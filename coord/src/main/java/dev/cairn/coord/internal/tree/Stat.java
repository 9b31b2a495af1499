package dev.cairn.coord.internal.tree;

/**
 * A znode's metadata, field for field ZooKeeper's {@code Stat}: creation and modification zxids
 * and times, the data, child and ACL versions, the owning session of an ephemeral (or the
 * container/TTL marker), data length, child count, and the zxid of the last child change.
 */
public record Stat(
        long czxid,
        long mzxid,
        long ctime,
        long mtime,
        int version,
        int cversion,
        int aversion,
        long ephemeralOwner,
        int dataLength,
        int numChildren,
        long pzxid) {}
