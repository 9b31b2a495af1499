package dev.cairn.rpc;

import dev.cairn.common.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/** Configuration keys of the RPC layer, shared by every role that calls another node. */
public final class RpcConfig {
    private RpcConfig() {}

    public static final ConfigKey<Duration> DEADLINE = ConfigKey.durationKey(
                    "rpc.deadline",
                    Duration.ofSeconds(30),
                    "Deadline of control RPCs between nodes (shuffle streams get ten times this).")
            .min(Duration.ofMillis(100))
            .max(Duration.ofHours(1));

    /** Every key above, in the order {@code bin/cairn config} prints them. */
    public static final List<ConfigKey<?>> KEYS = List.of(DEADLINE);
}
