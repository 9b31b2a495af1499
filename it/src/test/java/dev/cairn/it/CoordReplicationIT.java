package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replication between coord member processes: commits reach followers promptly, and a frozen follower holds up nothing. */
class CoordReplicationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /**
     * A write through a follower is answered once that follower has applied it, so it must learn
     * of the commit promptly. Now and then the other follower's acknowledgement commits an entry
     * while this one is still writing it to disk (its commit index may not pass what it flushed);
     * a commit notice that overtook the entry was then lost on it, and the write waited for the
     * next periodic heartbeat — in 2-3% of the writes.
     *
     * <p>Periodic heartbeats come every half election timeout, here 5 s; each write must be
     * answered within half of that, so a write that waited for one is caught whenever it waited
     * more than 2.5 s (about half of them, and 2-3% of 600 writes lost their notice), while a
     * hiccup of the machine (pauses here are well under a second) is not counted against it.
     */
    @Test
    void writesThroughAFollowerDoNotWaitForPeriodicHeartbeats() throws Exception {
        Duration heartbeatPeriod = Duration.ofSeconds(5);
        Duration perWrite = heartbeatPeriod.dividedBy(2);
        try (CoordProcesses group = new CoordProcesses(
                dir,
                3,
                "-Xmx256m",
                "coord.election-timeout=" + heartbeatPeriod.multipliedBy(2).toSeconds() + "s")) {
            group.startAll();
            int leader = await().atMost(WAIT).until(() -> group.leader(), i -> i >= 0);
            for (int follower : new int[] {(leader + 1) % 3, (leader + 2) % 3}) {
                try (ZooKeeper zk = connect(group.member(follower))) {
                    String path = "/through-" + follower;
                    zk.create(path, bytes(-1), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    int writes = 300;
                    for (int i = 0; i < writes; i++) {
                        CompletableFuture<Integer> written = new CompletableFuture<>();
                        zk.setData(path, bytes(i), -1, (rc, p, ctx, stat) -> written.complete(rc), null);
                        assertThat(written)
                                .as("write %d of %d through follower c%d", i, writes, follower + 1)
                                .succeedsWithin(perWrite)
                                .isEqualTo(0);
                    }
                }
            }
        }
    }

    /**
     * A follower frozen with SIGSTOP keeps its TCP connections open but answers nothing — the case
     * a crash does not cover. Writes must go on with the other two members, the leader must give up
     * on the silent connection after the request timeout, and once thawed the follower must catch
     * up, by a snapshot, since the leader purged the log it missed.
     */
    @Test
    void aFrozenFollowerHoldsUpNoWriteAndCatchesUpFromASnapshotOnceThawed() throws Exception {
        try (CoordProcesses group = new CoordProcesses(
                dir,
                3,
                "-Xmx256m",
                "coord.snapshot-every=50",
                "coord.log-segment-size=4k",
                "coord.request-timeout=3s")) {
            group.startAll();
            int leader = await().atMost(WAIT).until(() -> group.leader(), i -> i >= 0);
            int frozen = (leader + 1) % 3;
            String frozenId = "c" + (frozen + 1);
            try (ZooKeeper zk = connect(group.member(leader))) {
                zk.create("/frozen", bytes(-1), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                group.signal(frozen, "STOP");
                long start = System.nanoTime();
                int writes = 300;
                for (int i = 0; i < writes; i++) zk.setData("/frozen", bytes(i), -1);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                // Every write needs one follower only; the frozen one must not hold them up (each would
                // wait for a timeout if it did). Generous bound: this is a noisy 2-core machine.
                assertThat(took).as("%d writes with a follower frozen", writes).isLessThan(Duration.ofSeconds(30));

                // The leader gave up on the silent connection (its reply reader enforces the request timeout).
                java.util.regex.Pattern gaveUp =
                        java.util.regex.Pattern.compile("connection to " + frozenId + " ended: .*no reply");
                await().atMost(WAIT)
                        .until(() -> gaveUp.matcher(Files.readString(group.log(leader)))
                                .find());
                group.signal(frozen, "CONT");
                try (ZooKeeper thawed = connect(group.member(frozen))) {
                    await().atMost(WAIT).untilAsserted(() -> {
                        CountDownLatch synced = new CountDownLatch(1);
                        thawed.sync("/frozen", (rc, path, ctx) -> synced.countDown(), null);
                        assertThat(synced.await(10, TimeUnit.SECONDS)).isTrue();
                        assertThat(new String(thawed.getData("/frozen", false, null), StandardCharsets.UTF_8))
                                .isEqualTo(new String(bytes(writes - 1), StandardCharsets.UTF_8));
                    });
                }
                assertThat(Files.readString(group.log(leader)))
                        .as("the leader sent the thawed follower a snapshot")
                        .containsPattern(frozenId + ".*sending snapshot");
            }
        }
    }

    private static byte[] bytes(int i) {
        return ("v" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static ZooKeeper connect(String member) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(member, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        assertThat(connected.await(30, TimeUnit.SECONDS))
                .as("connected to %s", member)
                .isTrue();
        return zk;
    }
}
