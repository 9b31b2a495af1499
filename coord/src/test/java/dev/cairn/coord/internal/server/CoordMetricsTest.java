package dev.cairn.coord.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.net.FreePorts;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.internal.raft.RaftMember;
import dev.cairn.coord.internal.raft.RaftPeerAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-member coord on loopback, driven by the stock ZooKeeper client, records what it serves. */
class CoordMetricsTest {
    @TempDir
    Path dir;

    @Test
    void requestsByTypeLatencyLeadershipSessionsWatchesAndLogFlushesAreRecorded() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RaftPeerAddress self = new RaftPeerAddress("m1", "127.0.0.1", FreePorts.pick("127.0.0.1"));
        try (CoordServer server = CoordServer.start(
                CoordServer.Settings.builder(new RaftMember.Settings(
                                self, List.of(self), dir, 1000, Duration.ofMillis(300), Duration.ofSeconds(10)))
                        .tick(Duration.ofMillis(200))
                        .build(),
                Clock.system(),
                meters)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> server.raft().isLeader());
            assertThat(meters.get("cairn.coord.leader").gauge().value()).isEqualTo(1);
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper zk = new ZooKeeper("127.0.0.1:" + server.clientPort(), 4000, e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            });
            try {
                assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
                zk.create("/a", "x".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 3; i++) zk.setData("/a", new byte[] {(byte) i}, -1);
                zk.getData("/a", true, null);
                zk.multi(List.of(
                        Op.create("/b", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                        Op.delete("/b", -1)));
                assertThat(requests(meters, "create")).isEqualTo(1);
                assertThat(requests(meters, "setData")).isEqualTo(3);
                assertThat(requests(meters, "getData")).isEqualTo(1);
                assertThat(requests(meters, "multi")).isEqualTo(1);
                // Answered before the client returned, so timed already.
                assertThat(meters.get("cairn.coord.request")
                                .tag("type", "setData")
                                .timer()
                                .count())
                        .isEqualTo(3);
                assertThat(meters.get("cairn.coord.request")
                                .tag("type", "multi")
                                .timer()
                                .count())
                        .as("a multi's answer, written whole, is timed too")
                        .isEqualTo(1);
                assertThat(meters.get("cairn.coord.watches").gauge().value()).isEqualTo(1);
                assertThat(meters.get("cairn.coord.sessions").gauge().value()).isEqualTo(1);
                assertThat(meters.get("cairn.coord.connected.sessions").gauge().value())
                        .isEqualTo(1);
                assertThat(meters.get("cairn.coord.last.zxid").gauge().value()).isPositive();
                assertThat(meters.get("cairn.coord.last.applied.index").gauge().value())
                        .isPositive();
                assertThat(meters.get("cairn.coord.log.flush").functionTimer().count())
                        .as("the writes were flushed to the Raft log")
                        .isPositive();
            } finally {
                zk.close();
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.get("cairn.coord.sessions").gauge().value() == 0);
            assertThat(meters.get("cairn.coord.connected.sessions").gauge().value())
                    .isZero();
            assertThat(meters.get("cairn.coord.watches").gauge().value()).isZero();
        }
    }

    private static double requests(SimpleMeterRegistry meters, String type) {
        return meters.get("cairn.coord.requests").tag("type", type).counter().count();
    }
}
