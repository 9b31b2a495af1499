package dev.cairn.batch.stage;

import java.io.IOException;

/** Where a task writes records for later stages: each to the partition the program chooses. */
public interface PartitionedOutput {
    /** The number of partitions, the tasks of the stages that read them. */
    int partitions();

    /** Adds one record; the slices are copied before this returns. */
    void add(int partition, byte[] key, int keyOff, int keyLen, byte[] value, int valueOff, int valueLen)
            throws IOException;

    /** Records added so far. */
    long records();
}
