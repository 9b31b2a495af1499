package dev.cairn.bench.spark;

import org.apache.spark.sql.SparkSession;

/** The one way the Spark baselines build their session, so that TPC-H and word count run Spark alike. */
final class SparkBench {
    private SparkBench() {}

    /**
     * A local session with {@code cairn.spark.cores} (default 2) task threads and {@code cairn.spark.partitions}
     * (default 4, two per core) shuffle partitions; no web UI, no event log.
     */
    static SparkSession session(String name) {
        int cores = Integer.getInteger("cairn.spark.cores", 2);
        int partitions = Integer.getInteger("cairn.spark.partitions", 2 * cores);
        return SparkSession.builder()
                .appName(name)
                .master("local[" + cores + "]")
                .config("spark.sql.shuffle.partitions", partitions)
                .config("spark.default.parallelism", partitions)
                .config("spark.ui.enabled", false)
                .config("spark.ui.showConsoleProgress", false)
                .getOrCreate();
    }
}
