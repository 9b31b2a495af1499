package dev.cairn.dataflow;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the stream master records, per job, whether it runs, its latest run and its latest
 * complete checkpoint, so that the next active master can restore the running jobs. In a
 * cluster the node keeps it in coord (one znode per job); {@link #inMemory()} serves a master
 * without coord, whose jobs end with it.
 *
 * <p>Implementations must be safe to call from the master's loop thread; each call is a short
 * blocking write or read.
 */
public interface StreamJobRegistry {
    /** Durably records {@code record} for {@code jobId}, replacing the previous one. */
    void put(String jobId, String record) throws IOException;

    /** Every job's latest record. */
    Map<String, String> all() throws IOException;

    /** A registry that lives as long as this object: for a master without coord, and for tests. */
    static StreamJobRegistry inMemory() {
        Map<String, String> records = new TreeMap<>();
        return new StreamJobRegistry() {
            @Override
            public synchronized void put(String jobId, String record) {
                records.put(jobId, record);
            }

            @Override
            public synchronized Map<String, String> all() {
                return Map.copyOf(records);
            }
        };
    }
}
