package dev.cairn.dataflow;

import dev.cairn.common.config.Config;
import java.util.Locale;

/**
 * Where a job keeps its keyed state ({@link DataflowOptions#withStateBackend},
 * {@link DataflowConfig#STATE_BACKEND}).
 */
public enum StateBackendKind {
    /** Objects on the heap, organized by key group: fastest, bounded by the heap. */
    HEAP,
    /**
     * Encoded in a RocksDB instance per subtask in a local working directory: state larger than
     * the heap, incremental checkpoints (only new SST files are uploaded). Keyed process functions
     * (and the rolling reduce and aggregate built on them) use it; windows and joins stay on the heap.
     */
    ROCKSDB;

    /** {@code heap} or {@code rocksdb}, any case. */
    public static StateBackendKind parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "heap" -> HEAP;
            case "rocksdb" -> ROCKSDB;
            default -> throw new IllegalArgumentException("unknown state backend '" + name + "': heap or rocksdb");
        };
    }

    /** What {@link DataflowConfig#STATE_BACKEND} says. */
    public static StateBackendKind of(Config config) {
        return parse(config.get(DataflowConfig.STATE_BACKEND));
    }

    /** The name {@link #parse} reads. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
