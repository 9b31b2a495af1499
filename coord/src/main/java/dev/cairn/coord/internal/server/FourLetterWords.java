package dev.cairn.coord.internal.server;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * ZooKeeper's four-letter admin words: a client that sends one of these four ASCII bytes instead
 * of a packet length gets a text answer and the connection is closed.
 */
final class FourLetterWords {
    private static final Set<String> WORDS = Set.of("ruok", "srvr", "stat", "mntr", "conf", "cons", "wchs");

    private FourLetterWords() {}

    static boolean isCommand(int first) {
        return WORDS.contains(word(first));
    }

    static String word(int first) {
        byte[] b = {(byte) (first >>> 24), (byte) (first >>> 16), (byte) (first >>> 8), (byte) first};
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static String answer(int first, CoordServer server, ZkConnection conn) {
        String w = word(first);
        long zxid = server.state().lastZxid();
        String mode = server.raft().isLeader() ? "leader" : "follower";
        int nodes = server.state().read(t -> t.allChildrenCount("/") + 1);
        return switch (w) {
            case "ruok" -> "imok";
            case "srvr", "stat" ->
                "Zookeeper version: Cairn coord (ZooKeeper 3.9 protocol)\n" + "Zxid: 0x" + Long.toHexString(zxid)
                        + "\nMode: " + mode + "\nNode count: " + nodes + "\n";
            case "mntr" ->
                "zk_version\tCairn coord\nzk_server_state\t" + mode + "\nzk_znode_count\t" + nodes
                        + "\nzk_watch_count\t" + server.watches().size() + "\nzk_zxid\t" + zxid
                        + "\nzk_outstanding_requests\t" + server.outstanding().outstandingRequests()
                        + "\ncairn_outstanding_bytes\t" + server.outstanding().outstandingBytes()
                        + "\ncairn_throttled_total\t" + server.outstanding().throttledCount()
                        + "\ncairn_heap_used_bytes\t"
                        + (Runtime.getRuntime().totalMemory()
                                - Runtime.getRuntime().freeMemory())
                        + "\ncairn_heap_max_bytes\t" + Runtime.getRuntime().maxMemory() + "\n"
                        + dev.cairn.coord.internal.raft.CountingMetricRegistries.timerLines();
            case "conf" ->
                "clientPort=" + server.clientPort() + "\ntickTime="
                        + server.settings().tick().toMillis()
                        + "\nminSessionTimeout=" + server.settings().minSessionTimeoutMs()
                        + "\nmaxSessionTimeout=" + server.settings().maxSessionTimeoutMs()
                        + "\nserverId=" + server.settings().raft().self().id() + "\n";
            case "cons" -> {
                StringBuilder sb = new StringBuilder();
                for (ZkConnection c : server.connections())
                    sb.append(c.describe()).append('\n');
                yield sb.append('\n').toString();
            }
            case "wchs" -> server.watches().size() + " watches\n";
            default -> "";
        };
    }
}
