package dev.cairn.node;

import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.common.time.Clock;
import dev.cairn.node.internal.NodeCoordination;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's bearer tokens, kept in coord: {@value #PATH}{@code /<id>} holds a token's {@link
 * TokenRecord} (its user, dates and the SHA-256 of its secret, never the secret). The znodes carry
 * ZooKeeper's creator-only ACL, so only the admin that made them and coord's super users (nodes and
 * {@code security.admins}) can read, list or change them; nodes read them through a watch-backed
 * cache to authenticate clients without a certificate.
 *
 * <p>Revoking keeps the record, marked revoked, so a client still using the token is told "token
 * revoked" rather than "unknown token".
 */
public final class AccessTokens implements AutoCloseable {
    /** Where token records live. */
    public static final String PATH = "/cairn/security/tokens";

    // Mutable lists on purpose: ZooKeeper's client asks them whether they contain null, which List.of refuses.

    /** Everything, to the creator's authenticated identities (its certificate's subject) only. */
    private static final List<ACL> CREATOR_ONLY =
            Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("auth", "")));

    private static final List<ACL> OPEN =
            Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("world", "anyone")));

    private final ZooKeeper zk;

    private AccessTokens(ZooKeeper zk) {
        this.zk = zk;
    }

    /**
     * Connects to coord as the party {@code clientProperties} name ({@link
     * CoordClientSecurity#zooKeeperProperties}: an admin's certificate, for anything but a refusal).
     *
     * @throws IOException when no connection is made within {@code timeout}
     */
    public static AccessTokens connect(String connectString, Map<String, String> clientProperties, Duration timeout)
            throws IOException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(
                connectString,
                (int) Math.max(timeout.toMillis(), 10_000),
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
                },
                NodeCoordination.clientConfig(clientProperties));
        try {
            if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close(zk);
                throw new IOException(
                        "cannot connect to coord at " + connectString + " within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            close(zk);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted connecting to coord");
        }
        return new AccessTokens(zk);
    }

    /**
     * Makes a token for {@code user}, valid for {@code ttl}, and stores its record.
     *
     * @return the token: the only time its secret is known anywhere
     * @throws SecurityException when this client is not an admin of the cluster
     * @throws IllegalArgumentException for an invalid user name or a ttl that is not positive
     */
    public AccessToken create(String user, Duration ttl, Clock clock, SecureRandom random) throws IOException {
        if (!CertificateAuthority.NAME.matcher(user).matches())
            throw new IllegalArgumentException("'" + user + "' is not a valid user name");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("a token's --ttl must be positive");
        return coord(() -> {
            ensureParents();
            while (true) {
                AccessToken token = AccessToken.generate(random);
                Instant now = Instant.ofEpochMilli(clock.millis());
                TokenRecord record = TokenRecord.of(token, user, now, now.plus(ttl));
                try {
                    zk.create(PATH + "/" + token.id(), record.encode(), CREATOR_ONLY, CreateMode.PERSISTENT);
                    return token;
                } catch (KeeperException.NodeExistsException e) {
                    // 64 random bits collided with a token already made: draw another.
                }
            }
        });
    }

    /**
     * Every token's record, revoked and expired ones too, oldest first.
     *
     * @throws SecurityException when this client is not an admin of the cluster
     */
    public List<TokenRecord> list() throws IOException {
        return coord(() -> {
            List<String> ids;
            try {
                ids = zk.getChildren(PATH, false);
            } catch (KeeperException.NoNodeException e) {
                return List.of();
            }
            List<TokenRecord> out = new ArrayList<>();
            for (String id : ids) {
                try {
                    out.add(TokenRecord.decode(id, zk.getData(PATH + "/" + id, false, null)));
                } catch (KeeperException.NoNodeException e) {
                    // Deleted between listing and reading.
                }
            }
            out.sort(Comparator.comparing(TokenRecord::created).thenComparing(TokenRecord::id));
            return out;
        });
    }

    /**
     * Marks token {@code id} revoked now (a token already revoked keeps its first revocation).
     *
     * @return the revoked record
     * @throws NoSuchElementException when there is no such token
     * @throws SecurityException when this client is not an admin of the cluster
     */
    public TokenRecord revoke(String id, Clock clock) throws IOException {
        String path = PATH + "/" + checkedId(id);
        return coord(() -> {
            while (true) {
                Stat stat = new Stat();
                byte[] data;
                try {
                    data = zk.getData(path, false, stat);
                } catch (KeeperException.NoNodeException e) {
                    throw new NoSuchElementException("no token " + id + " (see `security token list`)");
                }
                TokenRecord revoked = TokenRecord.decode(id, data).revokedAt(Instant.ofEpochMilli(clock.millis()));
                try {
                    zk.setData(path, revoked.encode(), stat.getVersion());
                    return revoked;
                } catch (KeeperException.BadVersionException e) {
                    // Changed meanwhile (revoked by another admin): read it again.
                }
            }
        });
    }

    /** A token id as listed; anything else is refused without being echoed (it may be a whole token). */
    private static String checkedId(String id) {
        if (!id.matches("[0-9a-f]{16}"))
            throw new IllegalArgumentException("not a token id: give the 16 hex digits `security token list` shows");
        return id;
    }

    private void ensureParents() throws KeeperException, InterruptedException {
        create("/cairn", OPEN);
        create("/cairn/security", CREATOR_ONLY);
        create(PATH, CREATOR_ONLY);
    }

    private void create(String path, List<ACL> acl) throws KeeperException, InterruptedException {
        try {
            zk.create(path, new byte[0], acl, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // Made before.
        }
    }

    private interface CoordCall<T> {
        T run() throws KeeperException, InterruptedException;
    }

    /** Runs {@code call}, turning ZooKeeper's failures into one-line exceptions of Cairn's API. */
    private static <T> T coord(CoordCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (KeeperException.NoAuthException e) {
            throw new SecurityException(
                    "permission denied: " + PATH + " needs an admin of the cluster (a node or one of security.admins)");
        } catch (KeeperException e) {
            throw new IOException("coord: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted talking to coord");
        }
    }

    @Override
    public void close() {
        close(zk);
    }

    private static void close(ZooKeeper zk) {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
