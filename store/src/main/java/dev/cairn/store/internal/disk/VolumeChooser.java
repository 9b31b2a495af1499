package dev.cairn.store.internal.disk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the data directory for a new block: the one with the most usable space, taking turns among
 * those within {@link #TIE_BYTES} of the most. The slack matters: directories on one file system
 * report the same space only if asked at the same instant, and two disks a few megabytes apart are
 * equally good homes; without it, every new block would pile onto whichever was ahead by a byte.
 * Thread-safe.
 */
final class VolumeChooser {
    static final long TIE_BYTES = 64L << 20;

    private final List<Volume> volumes;
    private final LocalBlockStore.SpaceProbe probe;
    private long turn;

    VolumeChooser(List<Volume> volumes, LocalBlockStore.SpaceProbe probe) {
        this.volumes = List.copyOf(volumes);
        this.probe = probe;
    }

    Volume choose() throws IOException {
        long[] free = new long[volumes.size()];
        for (int i = 0; i < free.length; i++) free[i] = probe.usableBytes(volumes.get(i).root);
        return volumes.get(choose(free));
    }

    /** The index to use given each volume's usable bytes; advances the turn among ties. */
    synchronized int choose(long[] free) {
        long most = Long.MIN_VALUE;
        for (long f : free) most = Math.max(most, f);
        List<Integer> tied = new ArrayList<>();
        for (int i = 0; i < free.length; i++) {
            if (free[i] >= most - TIE_BYTES) tied.add(i);
        }
        return tied.get((int) (turn++ % tied.size()));
    }
}
