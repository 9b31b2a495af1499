package dev.cairn.store.internal.namespace;

import dev.cairn.common.security.CairnPrincipal;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.transfer.BlockAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * A store node's data-port access checks, decided from coord (the node is a super user there): a
 * user may read a block if the file it names lists the block and the file's ACL grants the user
 * READ — the same ACL coord enforces on the namespace, so a chmod takes effect on the data port
 * the moment it does on coord, up to the cache below; a user may write a block if the pending write
 * it names is theirs (its ACL names them, {@link AccessControl#pendingAcl}) and lists the block,
 * which the writer records before sending a byte of it.
 *
 * <p>Read decisions are cached for {@value #CACHE_MILLIS} ms, at most {@value #CACHE_SIZE} of them,
 * so a file read block after block costs coord two reads, not two per block: a revoked right
 * stops reads within that time.
 */
public final class CoordBlockAccess implements BlockAccess {
    static final long CACHE_MILLIS = 2_000;
    static final int CACHE_SIZE = 4_096;

    private final CuratorFramework coord;
    private final LongSupplier clock;
    private final java.util.Set<String> admins;

    private record Key(String user, List<String> groups, String file, BlockId block) {}

    private record Decision(String refusal, long expiresAt) {}

    private final Map<Key, Decision> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Decision> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    /** @param admins users who, as on coord, may read and write every block */
    public CoordBlockAccess(CuratorFramework coord, LongSupplier clockMillis, java.util.Set<String> admins) {
        this.coord = coord;
        this.clock = clockMillis;
        this.admins = java.util.Set.copyOf(admins);
    }

    @Override
    public String refuseRead(CairnPrincipal user, List<String> groups, String file, BlockId block) throws IOException {
        if (admins.contains(user.name())) return null;
        Key key = new Key(user.name(), groups, file, block);
        long now = clock.getAsLong();
        synchronized (cache) {
            Decision d = cache.get(key);
            if (d != null && d.expiresAt() > now) return d.refusal();
        }
        String refusal = decideRead(user.name(), groups, file, block);
        synchronized (cache) {
            cache.put(key, new Decision(refusal, now + CACHE_MILLIS));
        }
        return refusal;
    }

    private String decideRead(String user, List<String> groups, String file, BlockId block) throws IOException {
        String denied =
                "permission denied: " + user + " needs read on " + (file.isEmpty() ? "the file of " + block : file);
        if (file.isEmpty() || !file.startsWith("/")) return denied;
        String znode = Namespace.znode(file);
        return Namespace.call(() -> {
            try {
                List<ACL> acl = coord.getACL().forPath(znode);
                if (!grants(acl, ZooDefs.Perms.READ, user, groups)) return denied;
                Inode inode = Inode.decode(file, coord.getData().forPath(znode));
                if (!(inode instanceof Inode.File f) || f.blocks().stream().noneMatch(b -> b.id().equals(block)))
                    return "block " + block + " is not part of " + file;
                return null;
            } catch (KeeperException.NoNodeException gone) {
                return "no such file in the store: " + file;
            }
        });
    }

    @Override
    public String refuseWrite(CairnPrincipal user, String pendingWrite, BlockId block) throws IOException {
        if (admins.contains(user.name())) return null;
        String denied = "permission denied: " + user.name() + " needs a write of their own for " + block;
        if (!pendingWrite.startsWith(Namespace.PENDING + "/")) return denied;
        return Namespace.call(() -> {
            try {
                List<ACL> acl = coord.getACL().forPath(pendingWrite);
                boolean theirs = acl.stream()
                        .anyMatch(a -> a.getId().getScheme().equals("user")
                                && a.getId().getId().equals(user.name()));
                if (!theirs) return denied;
                String text = new String(coord.getData().forPath(pendingWrite), StandardCharsets.UTF_8);
                return List.of(text.split("\n", -1)).contains(block.toString())
                        ? null
                        : "block " + block + " is not part of write " + pendingWrite;
            } catch (KeeperException.NoNodeException gone) {
                return "the write " + pendingWrite + " has ended";
            }
        });
    }

    @Override
    public String refuseNodeRequest(CairnPrincipal user, String what) {
        return admins.contains(user.name())
                ? null
                : "permission denied: " + user.name() + " needs node rights to " + what;
    }

    /** Whether an ACL grants {@code perm} to a user with these groups, as coord decides it (super users aside). */
    static boolean grants(List<ACL> acl, int perm, String user, List<String> groups) {
        for (ACL a : acl) {
            if ((a.getPerms() & perm) == 0) continue;
            String scheme = a.getId().getScheme();
            String id = a.getId().getId();
            if (scheme.equals("world") && id.equals("anyone")) return true;
            if (scheme.equals("user") && id.equals(user)) return true;
            if (scheme.equals("group") && groups.contains(id)) return true;
        }
        return false;
    }
}
