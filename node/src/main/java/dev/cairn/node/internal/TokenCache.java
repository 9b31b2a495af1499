package dev.cairn.node.internal;

import dev.cairn.common.security.BearerTokens;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.node.AccessTokens;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's view of the cluster's tokens ({@link AccessTokens#PATH}), kept by a Curator cache that
 * watches the znodes: a token made or revoked in coord is seen here once the watch fires, within
 * milliseconds of the change being committed while this node's coord session is connected.
 *
 * <p>Fail closed: until the first full read, and whenever the connection to coord is suspended or
 * lost (a watch event might be missed), every token is refused with a reason saying why, until the
 * connection is back and the cache has read the tokens again. So a revocation takes effect on
 * every node within a watch round trip, or the node refuses all tokens.
 */
public final class TokenCache implements BearerTokens.Book, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenCache.class);

    private final CuratorFramework client;
    private final CuratorCache cache;
    private final ConnectionStateListener connection;
    private volatile boolean loaded;
    private volatile boolean connected = true;

    private TokenCache(CuratorFramework client) {
        this.client = client;
        this.cache = CuratorCache.build(client, AccessTokens.PATH);
        this.connection = (c, state) -> {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                connected = false;
            } else if (state == ConnectionState.RECONNECTED) {
                // The cache re-reads the tree on reconnection; its own events mark it current again.
                rebuildAfterReconnect();
            }
        };
    }

    /** Starts watching the tokens over {@code client}. */
    public static TokenCache start(CuratorFramework client) {
        TokenCache c = new TokenCache(client);
        c.cache
                .listenable()
                .addListener(CuratorCacheListener.builder()
                        .forInitialized(() -> c.loaded = true)
                        .build());
        client.getConnectionStateListenable().addListener(c.connection);
        c.cache.start();
        return c;
    }

    private void rebuildAfterReconnect() {
        // A read of the parent through the same session, ordered after any change the watch missed
        // (ZooKeeper's per-session FIFO order): once it answers, the cache's own watches are set again.
        try {
            client.sync()
                    .inBackground((c, e) -> {
                        if (e.getResultCode() == 0) connected = true;
                        else
                            LOG.warn(
                                    "cannot sync coord after reconnecting (code {}): tokens stay refused until the"
                                            + " next reconnection",
                                    e.getResultCode());
                    })
                    .forPath("/");
        } catch (Exception e) {
            LOG.debug("cannot sync coord after reconnecting; tokens stay refused until the next reconnection", e);
        }
    }

    @Override
    public Optional<TokenRecord> find(String id) {
        if (!loaded) throw new IllegalStateException("cannot check tokens yet: this node has not read them from coord");
        if (!connected) throw new IllegalStateException("cannot check tokens: this node lost its coord connection");
        Optional<ChildData> data = cache.get(AccessTokens.PATH + "/" + id);
        if (data.isEmpty()) return Optional.empty();
        try {
            return Optional.of(TokenRecord.decode(id, data.get().getData()));
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring a malformed token record in coord: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(connection);
        cache.close();
    }
}
