package dev.cairn.store;

import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/** Configuration keys of a store node, declared once with type, default, range and doc; read by {@link StoreNode.Settings#from}. */
public final class StoreConfig {
    private StoreConfig() {}

    public static final ConfigKey<List<String>> DIRS = ConfigKey.listKey(
            "store.dirs",
            List.of(),
            "Directories a store node keeps its blocks in (one per disk). Empty: node.dir/store.");
    public static final ConfigKey<Integer> DATA_PORT = ConfigKey.intKey(
                    "store.data-port",
                    0,
                    "TCP port a store node receives and serves block data on; 0 lets the operating system choose (the node announces it in coord).")
            .min(0)
            .max(65535);
    public static final ConfigKey<Duration> REPORT_INTERVAL = ConfigKey.durationKey(
                    "store.report-interval",
                    Duration.ofSeconds(5),
                    "How often a store node refreshes its free space and block count in coord (writers place blocks by free space).")
            .min(Duration.ofMillis(100));
    public static final ConfigKey<Long> SCRUB_RATE = ConfigKey.sizeKey(
            "store.scrub-rate",
            8L << 20,
            "Bytes per second the background scrubber re-reads and re-verifies local blocks at; 0 turns it off.");
    public static final ConfigKey<Duration> SCRUB_INTERVAL = ConfigKey.durationKey(
                    "store.scrub-interval",
                    Duration.ofHours(6),
                    "Pause between two scrubber passes over all local blocks.")
            .min(Duration.ofMillis(1));
    public static final ConfigKey<Duration> MONITOR_INTERVAL = ConfigKey.durationKey(
                    "store.monitor-interval",
                    Duration.ofSeconds(3),
                    "Pause between two scans of the replication monitor (one store node is elected to run it): each scan asks every store node "
                            + "for its block report and repairs what is under-replicated, corrupt, surplus or garbage.")
            .min(Duration.ofMillis(10));
    public static final ConfigKey<Duration> DEAD_NODE_TIMEOUT = ConfigKey.durationKey(
            "store.dead-node-timeout",
            Duration.ofMinutes(2),
            "How long a store node may be gone (counted from when its coord session ends) before its replicas are copied to other nodes; "
                    + "a node back within it costs no copying. Replication is restored within about its session timeout plus this plus one monitor "
                    + "interval plus the copying time.");
    public static final ConfigKey<Duration> GC_GRACE = ConfigKey.durationKey(
            "store.gc-grace",
            Duration.ofMinutes(10),
            "How long a block that no file and no open write refers to (deleted files, writers that died) stays on disk before it is deleted; "
                    + "at least three monitor intervals.");

    public static final ConfigKey<String> UMASK = ConfigKey.stringKey(
                    "store.umask",
                    "022",
                    "Mode bits (octal) a store client clears from new entries: directories get 777 and files 666 minus these. "
                            + "Owner and group are the creating user and the parent directory's group.")
            .validate(s -> s.matches("0?[0-7]{1,3}"), "must be octal from 0 to 777, like 022");

    /** Every key above, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            DIRS,
            DATA_PORT,
            REPORT_INTERVAL,
            SCRUB_RATE,
            SCRUB_INTERVAL,
            MONITOR_INTERVAL,
            DEAD_NODE_TIMEOUT,
            GC_GRACE,
            UMASK);
}
