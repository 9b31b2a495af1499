package dev.cairn.node.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FsUser;
import dev.cairn.common.security.CertificateAuthority;
import dev.cairn.common.security.SecurityLayout;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
import dev.cairn.coord.CoordService;
import dev.cairn.node.CoordClientSecurity;
import dev.cairn.node.NodeConfig;
import dev.cairn.store.FileStatus;
import dev.cairn.store.FsPermission;
import dev.cairn.store.PermissionDeniedException;
import dev.cairn.store.StoreClient;
import dev.cairn.store.StoreFileSystem;
import dev.cairn.store.StoreNode;
import dev.cairn.store.WriteOptions;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.transfer.BlockFetcher;
import dev.cairn.store.internal.transfer.DataAddress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owners, groups and mode bits of store entries in a secure cluster: a real coord member and a real
 * store node over mutual TLS, and clients with real user certificates (alice and carol in group
 * eng, bob in ops, admin a super user). Every refusal comes from coord (or the data port), names
 * the path and the missing right, and changes nothing.
 */
class StorePermissionsTlsTest {
    private static final Duration YEAR = Duration.ofDays(365);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final WriteOptions ONE_REPLICA = new WriteOptions(1, 1 << 20, false);

    @TempDir
    Path dir;

    private SecurityLayout layout;
    private CoordService coord;
    private StoreNode store;
    private final Map<String, StoreClient> clients = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        layout = SecurityLayout.under(dir);
        CertificateAuthority ca = layout.initialize("test", YEAR, Clock.system());
        ca.issueNode("n1", List.of("localhost", "127.0.0.1"), YEAR).write(layout.node("n1"));
        ca.issueUser("alice", List.of("eng"), YEAR).write(layout.user("alice"));
        ca.issueUser("carol", List.of("eng"), YEAR).write(layout.user("carol"));
        ca.issueUser("bob", List.of("ops"), YEAR).write(layout.user("bob"));
        ca.issueUser("admin", YEAR).write(layout.user("admin"));
        TransportSecurity node =
                TransportSecurity.mutualTls(layout.nodeMaterial("n1", Duration.ofSeconds(30), Clock.system()));
        Config config = Config.defaults(NodeConfig.DEF)
                .with(CoordConfig.RAFT_PORT, 0)
                .with(CoordConfig.CLIENT_PORT, 0)
                .with(CoordConfig.ELECTION_TIMEOUT, Duration.ofMillis(300));
        coord = CoordService.start(
                CoordService.Settings.from(config, "n1", "127.0.0.1", dir.resolve("coord"), node, List.of("admin")),
                Clock.system());
        store = StoreNode.start(
                new StoreNode.Settings(
                                "s1",
                                List.of(dir.resolve("s1")),
                                "127.0.0.1",
                                0,
                                Duration.ofMillis(500),
                                0,
                                Duration.ofHours(1),
                                new StoreNode.Repair(Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(3)))
                        .withSecurity(node)
                        .withAdmins(List.of("admin")),
                coord.clientEndpoint(),
                Duration.ofSeconds(10),
                CoordClientSecurity.zooKeeperProperties(layout.node("n1"), layout.caCertificate()),
                Clock.system(),
                new SimpleMeterRegistry());
        // The root is the system's (755): the admin makes alice's directory, as on HDFS.
        as("admin").mkdirs("/data");
        as("admin").chown("/data", "alice", "eng");
    }

    @AfterEach
    void stop() throws Exception {
        clients.values().forEach(StoreClient::close);
        for (AutoCloseable c : closeables.reversed()) c.close();
        if (store != null) store.close();
        if (coord != null) coord.close();
    }

    private StoreClient as(String user) throws Exception {
        StoreClient c = clients.get(user);
        if (c != null) return c;
        c = StoreClient.connect(
                coord.clientEndpoint(),
                null,
                TIMEOUT,
                TransportSecurity.mutualTls(layout.userMaterial(user, Duration.ofSeconds(30), Clock.system())),
                CoordClientSecurity.zooKeeperProperties(layout.user(user), layout.caCertificate()));
        clients.put(user, c);
        return c;
    }

    private void write(String user, String path, String text) throws Exception {
        try (OutputStream out = as(user).create(path, ONE_REPLICA)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private String read(String user, String path) throws Exception {
        try (InputStream in = as(user).open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void denied(ThrowingCall call, String message) {
        assertThatThrownBy(call::run)
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessage(message);
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void newEntriesBelongToTheCertificateUserWithTheParentsGroupAndTheUmask() throws Exception {
        write("alice", "/data/f", "hello");
        as("alice").mkdirs("/data/d/e");
        FileStatus f = as("alice").stat("/data/f");
        assertThat(List.of(f.owner(), f.group(), f.permission().toString()))
                .containsExactly("alice", "eng", "rw-r--r--");
        FileStatus d = as("alice").stat("/data/d/e");
        assertThat(List.of(d.owner(), d.group(), d.permission().toString()))
                .containsExactly("alice", "eng", "rwxr-xr-x");
        FileStatus root = as("bob").stat("/");
        assertThat(List.of(root.owner(), root.permission().toString())).containsExactly("cairn", "rwxr-xr-x");
        // Others may read what the mode lets them.
        assertThat(read("bob", "/data/f")).isEqualTo("hello");
        assertThat(as("bob").list("/data")).extracting(FileStatus::path).containsExactly("/data/d", "/data/f");
    }

    @Test
    void aUserWithoutRightsIsRefusedAndNothingChanges() throws Exception {
        write("alice", "/data/f", "secret");
        as("alice").mkdirs("/data/d");
        as("alice").chmod("/data/f", FsPermission.parse("640"));
        as("alice").chmod("/data/d", FsPermission.parse("750"));

        denied(() -> as("bob").stat("/data/f"), "permission denied: bob needs read on /data/f");
        denied(() -> read("bob", "/data/f"), "permission denied: bob needs read on /data/f");
        denied(() -> as("bob").list("/data/d"), "permission denied: bob needs read on /data/d");
        denied(() -> write("bob", "/data/g", "x"), "permission denied: bob needs write on /data");
        denied(() -> as("bob").mkdirs("/data/x"), "permission denied: bob needs write on /data");
        // Deleting or renaming reads the entry first (to find what is under it), then needs write on its directory.
        denied(() -> as("bob").delete("/data/f", false), "permission denied: bob needs read on /data/f");
        denied(() -> as("bob").rename("/data/f", "/data/g"), "permission denied: bob needs read on /data/f");
        denied(
                () -> as("bob").chmod("/data/f", FsPermission.parse("777")),
                "permission denied: bob needs read on /data/f");
        // Group members get the group bits (r--), and alice's directory is 755 (r-x for them).
        assertThat(read("carol", "/data/f")).isEqualTo("secret");
        denied(() -> as("carol").delete("/data/f", false), "permission denied: carol needs write on /data");
        denied(() -> as("carol").rename("/data/f", "/data/g"), "permission denied: carol needs write on /data");
        denied(
                () -> as("carol").chmod("/data/f", FsPermission.parse("777")),
                "permission denied: carol needs ownership on /data/f");
        denied(() -> as("carol").chown("/data/f", "carol", null), "permission denied: carol needs admin on /data/f");

        // Nothing changed.
        FileStatus f = as("alice").stat("/data/f");
        assertThat(List.of(f.owner(), f.group(), f.permission().octal())).containsExactly("alice", "eng", "640");
        assertThat(read("alice", "/data/f")).isEqualTo("secret");
        assertThat(as("alice").list("/data")).extracting(FileStatus::path).containsExactly("/data/d", "/data/f");
        assertThatThrownBy(() -> as("alice").stat("/data/g")).isInstanceOf(NoSuchFileException.class);
    }

    /**
     * What a node does for a job: it checks the job's owner may read the inputs and create the
     * output, writes as itself with the private umask (700 and 600), and hands what it made to the
     * owner, who alone (with admins) may then read it.
     */
    @Test
    void aNodeChecksAJobsOwnerAndHandsItsOutputToThem() throws Exception {
        StoreFileSystem node = new StoreFileSystem(() -> store.client(TIMEOUT, new FsPermission(0077)), ONE_REPLICA);
        FsUser bob = new FsUser("bob", List.of("ops"));
        FsUser carol = new FsUser("carol", List.of("eng"));
        write("alice", "/data/in.txt", "open");
        write("alice", "/data/secret.txt", "closed");
        as("alice").chmod("/data/secret.txt", FsPermission.parse("600"));

        node.checkRead("cairn:///data/in.txt", bob);
        assertThatThrownBy(() -> node.checkRead("cairn:///data/secret.txt", bob))
                .isInstanceOf(dev.cairn.common.security.PermissionDeniedException.class)
                .hasMessage("permission denied: bob needs read on cairn:///data/secret.txt");
        // A directory is read whole: every file under it must be readable.
        assertThatThrownBy(() -> node.checkRead("cairn:///data", bob))
                .hasMessage("permission denied: bob needs read on cairn:///data/secret.txt");
        assertThatThrownBy(() -> node.checkRead("cairn:///data/none", bob)).isInstanceOf(NoSuchFileException.class);
        // Creating /data/out/q7 needs write on /data, the nearest directory there (alice:eng 755).
        assertThatThrownBy(() -> node.checkCreate("cairn:///data/out/q7", carol))
                .hasMessage("permission denied: carol needs write on cairn:///data");
        as("alice").chmod("/data", FsPermission.parse("775"));
        node.checkCreate("cairn:///data/out/q7", carol);
        assertThatThrownBy(() -> node.checkCreate("cairn:///data/out/q7", bob))
                .hasMessage("permission denied: bob needs write on cairn:///data");

        node.mkdirs("cairn:///data/out/q7", "carol");
        try (OutputStream out = node.create("cairn:///data/out/q7/part-0")) {
            out.write("carol's".getBytes(StandardCharsets.UTF_8));
        }
        FileStatus written = as("admin").stat("/data/out/q7/part-0");
        assertThat(List.of(written.owner(), written.permission().octal())).containsExactly("n1", "600");
        denied(
                () -> read("carol", "/data/out/q7/part-0"),
                "permission denied: carol needs read on /data/out/q7/part-0");
        node.giveTo("cairn:///data/out/q7", "carol");
        for (String p : List.of("/data/out", "/data/out/q7", "/data/out/q7/part-0")) {
            FileStatus st = as("admin").stat(p);
            assertThat(List.of(st.owner(), st.group(), st.permission().octal()))
                    .as(p)
                    .containsExactly("carol", "eng", p.endsWith("part-0") ? "600" : "700");
        }
        assertThat(read("carol", "/data/out/q7/part-0")).isEqualTo("carol's");
        assertThat(read("admin", "/data/out/q7/part-0")).isEqualTo("carol's");
        denied(() -> read("bob", "/data/out/q7/part-0"), "permission denied: bob needs read on /data/out/q7/part-0");
        denied(
                () -> read("alice", "/data/out/q7/part-0"),
                "permission denied: alice needs read on /data/out/q7/part-0");
    }

    @Test
    void theOwnerAndTheAdminMayChangeWhatOthersMayNot() throws Exception {
        write("alice", "/data/f", "v1");
        as("alice").chmod("/data/f", FsPermission.parse("600"));
        denied(() -> read("carol", "/data/f"), "permission denied: carol needs read on /data/f");
        as("alice").chmod("/data/f", FsPermission.parse("644"));
        assertThat(read("carol", "/data/f")).isEqualTo("v1");

        // Only a super user may give a file away, even its owner may not.
        denied(() -> as("alice").chown("/data/f", "bob", null), "permission denied: alice needs admin on /data/f");
        as("admin").chown("/data/f", "bob", "ops");
        FileStatus f = as("alice").stat("/data/f");
        assertThat(List.of(f.owner(), f.group())).containsExactly("bob", "ops");
        // The owner of the directory renames and deletes in it what it can read, whoever owns it.
        as("alice").rename("/data/f", "/data/g");
        assertThat(as("admin").stat("/data/g").owner()).isEqualTo("bob");
        as("bob").chmod("/data/g", FsPermission.parse("600"));
        denied(() -> read("alice", "/data/g"), "permission denied: alice needs read on /data/g");
        assertThat(read("admin", "/data/g")).isEqualTo("v1");
        as("bob").chmod("/data/g", FsPermission.parse("644"));
        as("alice").delete("/data/g", false);
        assertThat(as("admin").exists("/data/g")).isFalse();
    }

    @Test
    void theDataPortServesAUsersBlockReadOnlyForAFileTheyMayRead() throws Exception {
        write("alice", "/data/f", "private bytes");
        as("alice").chmod("/data/f", FsPermission.parse("640"));
        write("alice", "/data/pub", "public");
        // The admin tells bob where alice's block is: knowing it must not be enough.
        FileStatus f = as("admin").stat("/data/f");
        BlockId block = BlockId.parse(f.blocks().getFirst().blockId());
        DataAddress node = DataAddress.parse(as("admin").nodes().getFirst().dataAddress());
        TransportSecurity bob =
                TransportSecurity.mutualTls(layout.userMaterial("bob", Duration.ofSeconds(30), Clock.system()));
        TransportSecurity carol =
                TransportSecurity.mutualTls(layout.userMaterial("carol", Duration.ofSeconds(30), Clock.system()));

        assertThatThrownBy(() -> readBlock(node, block, bob, "/data/f"))
                .hasMessageContaining("permission denied: bob needs read on /data/f");
        assertThatThrownBy(() -> readBlock(node, block, bob, ""))
                .hasMessageContaining("permission denied: bob needs read");
        assertThatThrownBy(() -> readBlock(node, block, bob, "/data/pub"))
                .hasMessageContaining("block " + block + " is not part of /data/pub");
        assertThatThrownBy(() -> BlockFetcher.deleteBlocks(node, List.of(block), TIMEOUT, bob))
                .hasMessageContaining("permission denied: bob needs node rights to delete blocks");
        // Nothing changed, and a group member reads the block as the mode allows.
        assertThat(readBlock(node, block, carol, "/data/f")).isEqualTo("private bytes");
        assertThat(read("alice", "/data/f")).isEqualTo("private bytes");
    }

    private static String readBlock(DataAddress node, BlockId block, TransportSecurity security, String file)
            throws Exception {
        try (InputStream in = BlockFetcher.open(node, block, 0, -1, TIMEOUT, security, file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
