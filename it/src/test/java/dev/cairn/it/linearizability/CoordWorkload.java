package dev.cairn.it.linearizability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Clients of a coord, each with its own ZooKeeper session and thread, doing random reads, blind
 * writes and compare-and-sets on a few znodes and recording what they saw, for
 * {@link LinearizabilityChecker}.
 *
 * <p>A ZooKeeper read is answered by the member the client is on and is only sequentially
 * consistent; a read preceded by {@code sync} is linearizable, so READ is sync-then-getData
 * (invoked before the sync). Values are unique, so a lost write cannot hide. A call that fails
 * with connection loss, a timeout or an expired session is recorded UNKNOWN when it was a write,
 * and dropped when it was a read (a read without an answer constrains nothing).
 */
public final class CoordWorkload {
    private final String connect;
    private final List<String> keys;
    private final long seed;
    private final List<Op> history = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final long t0 = System.nanoTime();

    public CoordWorkload(String connect, List<String> keys, long seed) {
        this.connect = connect;
        this.keys = List.copyOf(keys);
        this.seed = seed;
    }

    /** Creates the keys with value "init" (version 0). */
    public void setUp() throws Exception {
        ZooKeeper zk = connect(connect);
        try {
            for (String k : keys) {
                try {
                    zk.create(
                            k,
                            "init".getBytes(StandardCharsets.UTF_8),
                            org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            org.apache.zookeeper.CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException e) {
                    // a rerun on the same coord
                }
            }
        } finally {
            zk.close();
        }
    }

    /** Runs {@code clients} clients until {@link #stop()} or {@code maxOpsPerClient} each; returns their threads. */
    public List<Thread> start(int clients, int maxOpsPerClient) {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().name("lin-client-" + c).start(() -> runClient(id, maxOpsPerClient)));
        }
        return threads;
    }

    public void stop() {
        stop.set(true);
    }

    public List<Op> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /** One final sync-read of every key by a fresh client: the end state, as part of the history. */
    public void finalReads() throws Exception {
        ZooKeeper zk = connect(connect);
        try {
            for (String k : keys) read(zk, -1, k);
        } finally {
            zk.close();
        }
    }

    private void runClient(int id, int maxOps) {
        Random random = new Random(seed * 31 + id);
        ZooKeeper zk = null;
        int n = 0;
        while (!stop.get() && n < maxOps) {
            try {
                if (zk == null || !zk.getState().isAlive()) {
                    if (zk != null) zk.close();
                    zk = connect(connect);
                }
                String key = keys.get(random.nextInt(keys.size()));
                int dice = random.nextInt(10);
                String value = "c" + id + "-" + n;
                if (dice < 4) {
                    read(zk, id, key);
                } else if (dice < 7) {
                    write(zk, id, key, value, -1);
                } else {
                    int expected = zk.exists(key, false).getVersion();
                    write(zk, id, key, value, expected);
                }
                n++;
            } catch (Exception e) {
                // Could not even read a version or connect: back off a little and go on.
                event(id, e.toString());
                LockSupport.parkNanos(50_000_000L);
            }
        }
        if (zk != null) {
            try {
                zk.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void read(ZooKeeper zk, int client, String key) throws InterruptedException {
        long invoke = System.nanoTime();
        try {
            CountDownLatch synced = new CountDownLatch(1);
            int[] rc = {0};
            zk.sync(
                    key,
                    (code, path, ctx) -> {
                        rc[0] = code;
                        synced.countDown();
                    },
                    null);
            if (!synced.await(20, TimeUnit.SECONDS) || rc[0] != 0) {
                event(client, "sync rc " + rc[0]);
                return;
            }
            Stat stat = new Stat();
            byte[] data = zk.getData(key, false, stat);
            history.add(new Op(
                    client,
                    key,
                    Op.Kind.READ,
                    Op.Outcome.OK,
                    new String(data, StandardCharsets.UTF_8),
                    stat.getVersion(),
                    0,
                    invoke,
                    System.nanoTime()));
        } catch (KeeperException e) {
            // no answer: a read that never returned constrains nothing
        }
    }

    private void write(ZooKeeper zk, int client, String key, String value, int expected) throws InterruptedException {
        Op.Kind kind = expected < 0 ? Op.Kind.WRITE : Op.Kind.CAS;
        long invoke = System.nanoTime();
        try {
            Stat stat = zk.setData(key, value.getBytes(StandardCharsets.UTF_8), expected);
            history.add(new Op(
                    client, key, kind, Op.Outcome.OK, value, stat.getVersion(), expected, invoke, System.nanoTime()));
        } catch (KeeperException.BadVersionException e) {
            history.add(new Op(client, key, kind, Op.Outcome.FAILED, value, -1, expected, invoke, System.nanoTime()));
        } catch (KeeperException e) {
            event(client, "write " + e);
            history.add(new Op(client, key, kind, Op.Outcome.UNKNOWN, value, -1, expected, invoke, Long.MAX_VALUE));
        }
    }

    /** Records a client error or a fault (client -1) with its time since the workload was created. */
    public void event(int client, String what) {
        events.add(String.format("%8.3f c%d %s", (System.nanoTime() - t0) / 1e9, client, what));
    }

    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The longest stretch, in seconds, during which no client completed an operation, and when it began (seconds since start). */
    public double[] longestStall() {
        long[] done = history().stream()
                .filter(o -> o.returnNanos() != Long.MAX_VALUE && o.client() >= 0)
                .mapToLong(Op::returnNanos)
                .sorted()
                .toArray();
        long best = 0, at = t0;
        for (int i = 1; i < done.length; i++) {
            if (done[i] - done[i - 1] > best) {
                best = done[i] - done[i - 1];
                at = done[i - 1];
            }
        }
        return new double[] {best / 1e9, (at - t0) / 1e9};
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 6_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("cannot connect to " + connect);
        }
        return zk;
    }
}
