package dev.cairn.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings with which a ZooKeeper client (the stock one, Curator, the CLI's) connects to a
 * secured coord over mutual TLS: ZooKeeper's own documented client properties, with Cairn's PEM
 * files as they are ({@code zookeeper.ssl.keyStore.type=PEM}). They are meant for a client's own
 * {@code ZKClientConfig}, never for System properties: several clients with different identities
 * may share a JVM.
 */
public final class CoordClientSecurity {
    private CoordClientSecurity() {}

    /**
     * The client properties for a TLS connection to coord.
     *
     * @param identity PEM with the client's private key and certificate chain (a node's or a user's)
     * @param trust PEM with the cluster CA's certificate
     * @return property name to value, in a stable order
     * @throws IllegalArgumentException naming a file that does not exist
     */
    public static Map<String, String> zooKeeperProperties(Path identity, Path trust) {
        for (Path p : new Path[] {identity, trust}) {
            if (!Files.isRegularFile(p))
                throw new IllegalArgumentException("coord TLS: no such file " + p.toAbsolutePath());
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("zookeeper.client.secure", "true");
        p.put("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        p.put("zookeeper.ssl.keyStore.location", identity.toAbsolutePath().toString());
        p.put("zookeeper.ssl.keyStore.type", "PEM");
        p.put("zookeeper.ssl.trustStore.location", trust.toAbsolutePath().toString());
        p.put("zookeeper.ssl.trustStore.type", "PEM");
        // The server's certificate must name the host dialled (node certificates carry their hosts as SANs).
        p.put("zookeeper.ssl.hostnameVerification", "true");
        return p;
    }
}
