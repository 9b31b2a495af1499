package dev.cairn.batch.internal.sort;

import java.nio.file.Path;
import java.util.List;

/**
 * One sorted run on local disk: a file laid out like a map output's data file (a segment per
 * partition, back to back) and its in-memory index.
 *
 * @param number the order the run was started in, which orders equal keys in the final merge
 */
record Run(int number, Path file, List<MapOutputFile.Segment> segments) {
    Run {
        segments = List.copyOf(segments);
    }

    long bytes() {
        long n = 0;
        for (MapOutputFile.Segment s : segments) n += s.length();
        return n;
    }
}
