package dev.cairn.dataflow.internal.network;

import java.util.ArrayDeque;

/**
 * The byte arrays of one node's network buffers, all of the buffer size, recycled. It does not
 * bound anything itself (credits and queue capacities do); it counts the arrays out, so the bound
 * can be checked, and keeps a few free ones so that buffers are not garbage. Thread-safe.
 */
final class SegmentPool {
    private static final int MAX_FREE = 64;

    private final int segmentSize;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private long outstanding;
    private long peak;

    SegmentPool(int segmentSize) {
        this.segmentSize = segmentSize;
    }

    synchronized byte[] take() {
        outstanding++;
        if (outstanding > peak) peak = outstanding;
        byte[] segment = free.pollFirst();
        return segment != null ? segment : new byte[segmentSize];
    }

    synchronized void recycle(byte[] segment) {
        if (segment.length != segmentSize) throw new IllegalArgumentException("not a segment of this pool");
        outstanding--;
        if (free.size() < MAX_FREE) free.addFirst(segment);
    }

    synchronized long outstandingBytes() {
        return outstanding * segmentSize;
    }

    synchronized long peakBytes() {
        return peak * segmentSize;
    }

    int segmentSize() {
        return segmentSize;
    }
}
