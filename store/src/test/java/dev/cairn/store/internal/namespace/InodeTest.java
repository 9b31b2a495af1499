package dev.cairn.store.internal.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.store.FsPermission;
import dev.cairn.store.internal.disk.BlockId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inode encoding: version 2 round trips with owner, group and mode; version 1 still reads. */
class InodeTest {
    private static final Inode.Access ALICE = new Inode.Access("alice", "eng", new FsPermission(0640));

    @Test
    void version2RoundTripsOwnerGroupAndMode() {
        Inode.File file = new Inode.File(
                10,
                4,
                2,
                123,
                List.of(
                        new Inode.BlockRef(new BlockId(7), 4, List.of("s1", "s2")),
                        new Inode.BlockRef(new BlockId(8), 6, List.of())),
                ALICE);
        Inode.Dir dir = new Inode.Dir(456, new Inode.Access("bob", "ops", new FsPermission(0750)));
        assertThat(Inode.decode("/f", file.encode())).isEqualTo(file);
        assertThat(Inode.decode("/d", dir.encode())).isEqualTo(dir);
        assertThat(file.encode()[1]).isEqualTo(Inode.VERSION);
        assertThat(file.withBlocks(List.of()).access()).isEqualTo(ALICE);
    }

    @Test
    void version1EntriesReadAsTheSystemsWithDefaultModes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(Inode.DIR);
            out.writeByte(1);
            out.writeLong(99);
        }
        Inode dir = Inode.decode("/d", bytes.toByteArray());
        assertThat(dir).isEqualTo(new Inode.Dir(99, new Inode.Access("cairn", "cairn", new FsPermission(0755))));

        bytes.reset();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(Inode.FILE);
            out.writeByte(1);
            out.writeLong(5); // length
            out.writeLong(8); // block size
            out.writeShort(3); // replication
            out.writeLong(77); // mtime
            out.writeInt(1);
            out.writeLong(42);
            out.writeLong(5);
            out.writeShort(1);
            out.writeUTF("s1");
        }
        Inode file = Inode.decode("/f", bytes.toByteArray());
        assertThat(file)
                .isEqualTo(new Inode.File(
                        5,
                        8,
                        3,
                        77,
                        List.of(new Inode.BlockRef(new BlockId(42), 5, List.of("s1"))),
                        new Inode.Access("cairn", "cairn", new FsPermission(0644))));
    }

    @Test
    void unknownVersionsAndBadModesAreNamed() {
        assertThatThrownBy(() -> Inode.decode("/x", new byte[] {Inode.DIR, 9, 0, 0, 0, 0, 0, 0, 0, 0}))
                .hasMessageContaining("/x")
                .hasMessageContaining("version 9");
        byte[] ok = new Inode.Dir(1, ALICE).encode();
        ok[ok.length - 2] = 0x7f; // mode far above 0777
        assertThatThrownBy(() -> Inode.decode("/y", ok)).hasMessageContaining("/y is corrupt");
    }

    @Test
    void theAclFollowsTheBitsAndStaysOpenInPlainMode() {
        assertThat(AccessControl.acl(ALICE, false)).hasSize(1);
        var acl = AccessControl.acl(ALICE, true);
        assertThat(acl)
                .extracting(a -> a.getId().getScheme() + ":" + a.getId().getId() + "=" + a.getPerms())
                .containsExactly("user:alice=" + (1 | 2 | 4 | 8 | 16), "group:eng=1");
        assertThat(AccessControl.allows(ALICE, "carol", List.of("eng"), FsPermission.Right.READ))
                .isTrue();
        assertThat(AccessControl.allows(ALICE, "bob", List.of("ops"), FsPermission.Right.READ))
                .isFalse();
    }
}
