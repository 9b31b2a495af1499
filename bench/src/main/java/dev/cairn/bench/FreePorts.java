package dev.cairn.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints N distinct TCP ports that are free on the loopback interface, space-separated, for scripts
 * that start servers on fixed ports (bench/zk-ensemble.sh). All N sockets are bound at once, so the
 * ports differ; they are released before printing, so another process could take one in between,
 * which is unlikely on a benchmark machine and shows up as a server failing to start.
 *
 * <pre>java -cp cairn-bench.jar dev.cairn.bench.FreePorts 9</pre>
 */
public final class FreePorts {
    private FreePorts() {}

    public static void main(String[] args) throws IOException {
        int n = args.length == 1 ? Integer.parseInt(args[0]) : 1;
        List<ServerSocket> sockets = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                out.append(i > 0 ? " " : "").append(s.getLocalPort());
            }
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
        System.out.println(out);
    }
}
