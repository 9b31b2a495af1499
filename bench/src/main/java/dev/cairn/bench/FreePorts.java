package dev.cairn.bench;

import java.io.IOException;
import java.util.StringJoiner;

/**
 * Prints N distinct TCP ports that are free on the loopback interface, space-separated, for scripts
 * that start servers on fixed ports (bench/zk-ensemble.sh). They are picked by
 * {@link dev.cairn.common.net.FreePorts}, outside the ephemeral range, so the clients connecting
 * meanwhile cannot take them before the servers bind.
 *
 * <pre>java -cp cairn-bench.jar dev.cairn.bench.FreePorts 9</pre>
 */
public final class FreePorts {
    private FreePorts() {}

    public static void main(String[] args) throws IOException {
        int n = args.length == 1 ? Integer.parseInt(args[0]) : 1;
        StringJoiner out = new StringJoiner(" ");
        for (int i = 0; i < n; i++) out.add(Integer.toString(dev.cairn.common.net.FreePorts.pick("127.0.0.1")));
        System.out.println(out);
    }
}
