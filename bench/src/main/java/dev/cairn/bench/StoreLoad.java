package dev.cairn.bench;

import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.store.StoreClient;
import dev.cairn.store.WriteOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Store put and get throughput from one long-lived client JVM: {@code --rounds} times, puts a local
 * file into the store (replication 3, overwriting) and reads it back, through the public
 * {@link StoreClient} API, and prints one {@code storeload} line per round. Unlike {@code cairn fs
 * put|get} (a fresh JVM per command, whose TLS cipher runs interpreted or C1-compiled for its
 * first seconds), the later rounds run with a JIT-compiled client, so they measure the steady
 * state of the nodes' own cost (of TLS, with {@code --security}).
 *
 * <pre>storeload label=cairn-tls round=3 bytes=268435456 put_mb_s=120.4 get_mb_s=230.1</pre>
 *
 * Reads go to a discarded buffer (no local disk write), puts read the local file (from the page
 * cache after the first round), so client-side disk work is the same with and without TLS.
 */
@Command(
        name = "storeload",
        mixinStandardHelpOptions = true,
        description = "Put and get one file repeatedly from one client JVM; prints one storeload line per round.")
public final class StoreLoad implements Callable<Integer> {
    @Option(names = "--connect", required = true, paramLabel = "HOST:PORT[,...]", description = "The cluster's coord.")
    String connect;

    @Option(names = "--file", required = true, paramLabel = "PATH", description = "The local file to put.")
    Path file;

    @Option(
            names = "--rounds",
            defaultValue = "4",
            paramLabel = "N",
            description = "Put+get rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--label",
            defaultValue = "cairn",
            paramLabel = "NAME",
            description = "Echoed in the output (default ${DEFAULT-VALUE}).")
    String label;

    @Option(
            names = "--target",
            defaultValue = "/bench/storeload.bin",
            paramLabel = "PATH",
            description = "Store path written and read (default ${DEFAULT-VALUE}).")
    String target;

    @Option(
            names = "--security",
            paramLabel = "DIR",
            description = "A secured cluster's security dir: connect over mutual TLS as admin (default: plain).")
    Path security;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StoreLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1");
        long size = Files.size(file);
        TransportSecurity transport = TransportSecurity.plain();
        Map<String, String> coordProperties = Map.of();
        if (security != null) {
            SecurityLayout layout = new SecurityLayout(security);
            transport = TransportSecurity.mutualTls(
                    TlsMaterial.load(layout.user("admin"), layout.caCertificate(), Duration.ofDays(1), Clock.system()));
            // ZooKeeper's client TLS settings, as Cairn's own coord clients set them (see ZkLoad).
            coordProperties = Map.of(
                    "zookeeper.client.secure", "true",
                    "zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty",
                    "zookeeper.ssl.keyStore.location",
                            layout.user("admin").toAbsolutePath().toString(),
                    "zookeeper.ssl.keyStore.type", "PEM",
                    "zookeeper.ssl.trustStore.location",
                            layout.caCertificate().toAbsolutePath().toString(),
                    "zookeeper.ssl.trustStore.type", "PEM");
        }
        byte[] buf = new byte[WriteOptions.CHUNK_SIZE * 4];
        try (StoreClient store =
                StoreClient.connect(connect, null, Duration.ofSeconds(30), transport, coordProperties)) {
            store.mkdirs(target.substring(0, Math.max(1, target.lastIndexOf('/'))));
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                try (InputStream in = Files.newInputStream(file);
                        OutputStream out =
                                store.create(target, WriteOptions.defaults().withOverwrite(true))) {
                    for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
                }
                long t1 = System.nanoTime();
                long read = 0;
                try (InputStream in = store.open(target)) {
                    for (int n; (n = in.read(buf)) > 0; ) read += n;
                }
                long t2 = System.nanoTime();
                if (read != size) throw new IllegalStateException("read " + read + " bytes back, put " + size);
                System.out.println(String.format(
                        Locale.ROOT,
                        "storeload label=%s round=%d bytes=%d put_mb_s=%.1f get_mb_s=%.1f",
                        label,
                        round,
                        size,
                        size / 1e6 / ((t1 - t0) / 1e9),
                        size / 1e6 / ((t2 - t1) / 1e9)));
            }
            store.delete(target, false);
        }
        return 0;
    }
}
