package dev.cairn.common.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Picks TCP ports for servers whose address must be known before they listen — Raft members
 * that are named in each other's configuration, a worker that registers its endpoint first.
 *
 * <p>A port handed out by binding to port 0 comes from the OS's ephemeral range, the same range
 * outgoing connections take their local ports from; in the seconds before the server binds it,
 * any client connecting anywhere on the machine (a Raft member retrying a peer that is not up
 * yet, a ZooKeeper client looking for a member) may be given it, and the server then fails
 * with "Address already in use". So the port is picked at random <em>below</em> the ephemeral
 * range (read from {@code /proc/sys/net/ipv4/ip_local_port_range} where there is one) and
 * checked by binding it once; only where the OS leaves no room outside its range does this fall
 * back to port 0. A port is not handed out twice by one process, so a caller picking several
 * before binding any gets distinct ones.
 */
public final class FreePorts {
    /** Lowest port picked; below it are well-known and registered services. */
    static final int LOWEST = 10_000;

    private static final int ATTEMPTS = 200;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final RandomGenerator RANDOM =
            new SplittableRandom(System.nanoTime() ^ ProcessHandle.current().pid());

    private FreePorts() {}

    /** The OS's ephemeral port range, inclusive, when it can be read. */
    record Range(int low, int high) {}

    /** A port free on {@code host} now, outside the ephemeral range where the OS leaves room. */
    public static int pick(String host) throws IOException {
        return pick(host, ephemeralRange(), RANDOM);
    }

    static int pick(String host, Optional<Range> ephemeral, RandomGenerator random) throws IOException {
        if (ephemeral.isPresent()) {
            Range r = ephemeral.get();
            int below = r.low() - LOWEST; // candidates LOWEST .. low-1
            int above = 65_535 - r.high(); // candidates high+1 .. 65535
            if (below + above >= 1_000) {
                for (int i = 0; i < ATTEMPTS; i++) {
                    int n = random.nextInt(below + above);
                    int port = n < below ? LOWEST + n : r.high() + 1 + n - below;
                    if (!HANDED_OUT.contains(port) && tryBind(host, port) == port && HANDED_OUT.add(port)) return port;
                }
            }
        }
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = tryBind(host, 0);
            if (port > 0 && HANDED_OUT.add(port)) return port;
        }
        throw new IOException("no free port on " + host + " after " + ATTEMPTS + " attempts");
    }

    static Optional<Range> ephemeralRange() {
        try {
            // Not Files.readString: procfs reports a size of 0, and readString returned only "3" of "32768\t60999".
            String[] parts = String.join(" ", Files.readAllLines(EPHEMERAL_RANGE, StandardCharsets.US_ASCII))
                    .trim()
                    .split("\\s+", -1);
            return Optional.of(new Range(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not Linux, or no procfs: the OS's own choice is all there is
        }
    }

    /** Binds {@code port} (0: one the OS chooses) and releases it at once; the port bound, or -1 when none could be. */
    private static int tryBind(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
            return s.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }
}
