package dev.cairn.batch.internal.master;

import java.util.List;

/**
 * A byte range of one input file; lines are assigned to the split their first byte falls in.
 *
 * @param hosts the nodes holding the range's block, where a map task reads it without the network; empty if unknown
 */
record InputSplit(String path, long start, long length, List<String> hosts) {
    InputSplit {
        hosts = List.copyOf(hosts);
    }
}
