package dev.cairn.common.fs;

/**
 * Implemented by streams of {@link FileSystem#open} that know where the bytes they returned came
 * from: this node's own disks, or another node over the network. Jobs add these up to report how
 * much of their input they read where it lies.
 */
public interface ReadLocality {
    /** Bytes returned so far that were read on this node. */
    long localBytes();

    /** Bytes returned so far that came from other nodes. */
    long remoteBytes();
}
