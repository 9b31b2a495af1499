package dev.cairn.batch.internal.master;

import java.util.List;

/**
 * A byte range of one input file; lines are assigned to the split their first byte falls in.
 *
 * @param input the job input (as the job named it) the file was found under
 * @param hosts the nodes holding the range's block, where a map task reads it without the network; empty if unknown
 */
record InputSplit(String input, String path, long start, long length, List<String> hosts) {
    InputSplit {
        hosts = List.copyOf(hosts);
    }

    /** A split of a file that is a job input itself. */
    InputSplit(String path, long start, long length, List<String> hosts) {
        this(path, path, start, length, hosts);
    }
}
