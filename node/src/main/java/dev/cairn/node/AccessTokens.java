package dev.cairn.node;

import dev.cairn.common.security.AccessToken;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.TokenRecord;
import dev.cairn.common.time.Clock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
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
public final class AccessTokens {
    /** Where token records live. */
    public static final String PATH = "/cairn/security/tokens";

    // Mutable lists on purpose: ZooKeeper's client asks them whether they contain null, which List.of refuses.

    /** Everything, to the creator's authenticated identities (its certificate's subject) only. */
    private static final List<ACL> CREATOR_ONLY =
            Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("auth", "")));

    private static final List<ACL> OPEN =
            Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("world", "anyone")));

    private AccessTokens() {}

    /**
     * Makes a token for {@code user}, valid for {@code ttl}, and stores its record.
     *
     * @return the token: the only time its secret is known anywhere
     * @throws KeeperException NOAUTH when the client is not an admin of the cluster
     */
    public static AccessToken create(ZooKeeper zk, String user, Duration ttl, Clock clock, SecureRandom random)
            throws KeeperException, InterruptedException {
        if (!CertificateAuthority.NAME.matcher(user).matches())
            throw new IllegalArgumentException("'" + user + "' is not a valid user name");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("a token's --ttl must be positive");
        ensureParents(zk);
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
    }

    /** Every token's record, revoked and expired ones too, oldest first. */
    public static List<TokenRecord> list(ZooKeeper zk) throws KeeperException, InterruptedException {
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
    }

    /**
     * Marks token {@code id} revoked now (a token already revoked keeps its first revocation).
     *
     * @return the revoked record
     * @throws NoSuchElementException when there is no such token
     */
    public static TokenRecord revoke(ZooKeeper zk, String id, Clock clock)
            throws KeeperException, InterruptedException {
        String path = PATH + "/" + checkedId(id);
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
    }

    /** A token id as listed; anything else is refused without being echoed (it may be a whole token). */
    private static String checkedId(String id) {
        if (!id.matches("[0-9a-f]{16}"))
            throw new IllegalArgumentException("not a token id: give the 16 hex digits `security token list` shows");
        return id;
    }

    private static void ensureParents(ZooKeeper zk) throws KeeperException, InterruptedException {
        create(zk, "/cairn", OPEN);
        create(zk, "/cairn/security", CREATOR_ONLY);
        create(zk, PATH, CREATOR_ONLY);
    }

    private static void create(ZooKeeper zk, String path, List<ACL> acl) throws KeeperException, InterruptedException {
        try {
            zk.create(path, new byte[0], acl, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // Made before.
        }
    }
}
