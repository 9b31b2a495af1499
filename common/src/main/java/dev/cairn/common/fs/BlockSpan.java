package dev.cairn.common.fs;

import java.util.List;

/**
 * A byte range of a file stored as one unit, and the nodes holding a copy of it.
 *
 * @param hosts ids of the nodes that can read the span without the network, as last known; empty when unknown
 */
public record BlockSpan(long offset, long length, List<String> hosts) {
    public BlockSpan {
        if (offset < 0 || length < 0)
            throw new IllegalArgumentException("bad span: offset " + offset + ", length " + length);
        hosts = List.copyOf(hosts);
    }
}
