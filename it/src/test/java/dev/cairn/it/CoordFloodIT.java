package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member flooded with pipelined 1 MiB writes by many sessions throttles them (its
 * {@code coord.max-outstanding-*} limits) instead of running out of heap, and keeps serving its
 * other sessions meanwhile.
 */
class CoordFloodIT {
    private static final int MIB = 1 << 20;
    private static final int FLOOD_SESSIONS = 16;
    /** Writes each flooding session keeps outstanding: 256 MiB offered at once, against a 256 MiB heap. */
    private static final int OUTSTANDING = 16;

    private static final Duration FLOOD = Duration.ofSeconds(20);
    /** Bounds the flood in count too. */
    private static final int MAX_FLOOD_WRITES = 4000;

    @TempDir
    Path dir;

    @Test
    void aMemberFloodedWithPipelinedLargeWritesThrottlesStaysInItsHeapAndServesOthers() throws Exception {
        try (CoordProcesses group = new CoordProcesses(
                dir,
                3,
                "-Xmx256m -XX:+ExitOnOutOfMemoryError",
                "coord.snapshot-every=2000",
                "coord.pipeline-writes=true")) {
            group.startAll();
            int leader = await().atMost(Duration.ofSeconds(60)).until(group::leader, i -> i >= 0);
            // A follower: its changes are forwarded to the leader, which then holds them too.
            int flooded = (leader + 1) % 3;
            String member = group.member(flooded);

            List<ZooKeeper> floods = new ArrayList<>();
            try (ZooKeeper bystander = connect(member)) {
                for (int i = 0; i < FLOOD_SESSIONS; i++) floods.add(connect(member));
                byte[] big = new byte[MIB];
                Arrays.fill(big, (byte) 'x');
                for (int i = 0; i < FLOOD_SESSIONS; i++)
                    bystander.create("/flood-" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                bystander.create("/bystander", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

                AtomicInteger issued = new AtomicInteger();
                AtomicInteger written = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                AtomicReference<String> firstFailure = new AtomicReference<>();
                long floodEnd = System.nanoTime() + FLOOD.toNanos();
                List<Thread> flooders = new ArrayList<>();
                for (int i = 0; i < FLOOD_SESSIONS; i++) {
                    ZooKeeper zk = floods.get(i);
                    String path = "/flood-" + i;
                    flooders.add(Thread.ofPlatform().name("flood-" + i).start(() -> {
                        Semaphore window = new Semaphore(OUTSTANDING);
                        while (System.nanoTime() - floodEnd < 0 && issued.incrementAndGet() <= MAX_FLOOD_WRITES) {
                            try {
                                if (!window.tryAcquire(30, TimeUnit.SECONDS)) break;
                            } catch (InterruptedException e) {
                                return;
                            }
                            zk.setData(
                                    path,
                                    big,
                                    -1,
                                    (rc, p, ctx, stat) -> {
                                        if (rc == 0) {
                                            written.incrementAndGet();
                                        } else {
                                            failed.incrementAndGet();
                                            firstFailure.compareAndSet(null, KeeperException.Code.get(rc) + " on " + p);
                                        }
                                        window.release();
                                    },
                                    null);
                        }
                        try {
                            window.tryAcquire(OUTSTANDING, 60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }

                // Meanwhile another session of the same member writes and reads small values, one at a
                // time, and the member's numbers are watched.
                long worstWriteNanos = 0;
                long worstReadNanos = 0;
                int bystanderOps = 0;
                long maxOutstandingBytes = 0;
                long maxHeapUsed = 0;
                long nextSample = 0;
                while (System.nanoTime() - floodEnd < 0) {
                    byte[] value = ("v" + bystanderOps).getBytes(StandardCharsets.UTF_8);
                    long t0 = System.nanoTime();
                    bystander.setData("/bystander", value, -1);
                    long t1 = System.nanoTime();
                    assertThat(bystander.getData("/bystander", false, new Stat()))
                            .isEqualTo(value);
                    long t2 = System.nanoTime();
                    worstWriteNanos = Math.max(worstWriteNanos, t1 - t0);
                    worstReadNanos = Math.max(worstReadNanos, t2 - t1);
                    bystanderOps++;
                    if (t2 - nextSample >= 0) {
                        String mntr = CoordIT.fourLetterWord(member, "mntr");
                        maxOutstandingBytes = Math.max(maxOutstandingBytes, mntrValue(mntr, "cairn_outstanding_bytes"));
                        maxHeapUsed = Math.max(maxHeapUsed, mntrValue(mntr, "cairn_heap_used_bytes"));
                        nextSample = t2 + 500_000_000L;
                    }
                    LockSupport.parkNanos(20_000_000L);
                }
                for (Thread t : flooders) t.join(Duration.ofSeconds(90));
                String mntr = CoordIT.fourLetterWord(member, "mntr");
                System.out.printf(
                        "flood: %d x 1 MiB writes answered (%d failed), bystander %d write+read pairs, worst write %d ms,"
                                + " worst read %d ms; member: throttled %d times, outstanding bytes at most %d (sampled),"
                                + " heap used at most %d MiB (sampled) of %d MiB%n",
                        written.get(),
                        failed.get(),
                        bystanderOps,
                        worstWriteNanos / 1_000_000,
                        worstReadNanos / 1_000_000,
                        mntrValue(mntr, "cairn_throttled_total"),
                        maxOutstandingBytes,
                        maxHeapUsed >> 20,
                        mntrValue(mntr, "cairn_heap_max_bytes") >> 20);

                for (int i = 0; i < 3; i++)
                    assertThat(group.isRunning(i))
                            .as("member c%d still runs; see %s", i + 1, group.log(i))
                            .isTrue();
                for (int i = 0; i < 3; i++)
                    assertThat(Files.readString(group.log(i)))
                            .as("log of member c%d", i + 1)
                            .doesNotContain("OutOfMemoryError");
                assertThat(failed.get())
                        .as("flood writes that failed (first: %s)", firstFailure.get())
                        .isZero();
                assertThat(written.get()).as("flood writes answered").isGreaterThan(FLOOD_SESSIONS);
                assertThat(mntrValue(mntr, "cairn_throttled_total"))
                        .as("times the member throttled a connection")
                        .isPositive();
                assertThat(maxOutstandingBytes)
                        .as("outstanding bytes: the 16 MiB limit plus at most one write")
                        .isLessThanOrEqualTo(16L * MIB + MIB + 1024);
                // Room is given back right after each reply is written: the count may trail the last answer.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> mntrValue(CoordIT.fourLetterWord(member, "mntr"), "zk_outstanding_requests") == 0);
                assertThat(bystanderOps).as("bystander write+read pairs").isGreaterThanOrEqualTo(5);
                assertThat(worstReadNanos / 1_000_000)
                        .as("worst bystander read, ms")
                        .isLessThan(5_000);
                assertThat(worstWriteNanos / 1_000_000)
                        .as("worst bystander write, ms")
                        .isLessThan(10_000);
                // (Their data is not read back: a ZooKeeper client takes no reply over 1 MiB, jute.maxbuffer.)
                for (int i = 0; i < FLOOD_SESSIONS; i++)
                    assertThat(bystander.exists("/flood-" + i, false).getDataLength())
                            .isEqualTo(MIB);
            } finally {
                for (ZooKeeper zk : floods) zk.close();
            }
        }
    }

    private static long mntrValue(String mntr, String key) {
        for (String line : mntr.split("\n")) {
            String[] kv = line.split("\t", 2);
            if (kv.length == 2 && kv[0].equals(key)) return Long.parseLong(kv[1].trim());
        }
        throw new AssertionError("no " + key + " in mntr: " + mntr);
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
