package dev.cairn.coord.internal.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The x509 scheme and super users in ZooKeeper's ACL rules, beside digest and ip. */
class AclsTest {
    private static final Id ALICE = new Id("x509", "CN=alice,OU=user,O=Cairn t");
    private static final Id BOB = new Id("x509", "CN=bob,OU=user,O=Cairn t");
    private static final Id LOCAL = new Id("ip", "127.0.0.1");

    @Test
    void anX509AclGrantsExactlyThatSubject() {
        List<Acl> acl = List.of(new Acl(Acl.READ, ALICE));
        assertThat(Acls.permits(acl, Acl.READ, List.of(LOCAL, ALICE))).isTrue();
        assertThat(Acls.permits(acl, Acl.WRITE, List.of(LOCAL, ALICE))).isFalse();
        assertThat(Acls.permits(acl, Acl.READ, List.of(LOCAL, BOB))).isFalse();
        // Same DN under another scheme is not the same identity.
        assertThat(Acls.permits(acl, Acl.READ, List.of(new Id("digest", ALICE.id()))))
                .isFalse();
    }

    @Test
    void aSuperUserPassesEveryCheck() {
        List<Acl> acl = List.of(new Acl(Acl.READ, ALICE));
        Id superUser = new Id(Id.SUPER, "node n1");
        assertThat(Acls.permits(acl, Acl.ADMIN, List.of(LOCAL, superUser))).isTrue();
        assertThat(Acls.permits(List.of(), Acl.ADMIN, List.of(superUser))).isTrue();
    }

    @Test
    void authExpandsToTheCertificateIdentityButNeverToSuperOrIp() {
        List<Id> client = List.of(LOCAL, ALICE, new Id(Id.SUPER, "user admin"));
        assertThat(Acls.fixup(List.of(new Acl(Acl.ALL, new Id("auth", ""))), client))
                .containsExactly(new Acl(Acl.ALL, ALICE));
        // Without an authenticated identity, "auth" is invalid (ZooKeeper's INVALIDACL).
        assertThat(Acls.fixup(List.of(new Acl(Acl.ALL, new Id("auth", ""))), List.of(LOCAL)))
                .isNull();
    }

    @Test
    void x509AclsAreValidUnlessEmptyAndSuperCannotBeSet() {
        assertThat(Acls.fixup(List.of(new Acl(Acl.READ, ALICE)), List.of(LOCAL)))
                .containsExactly(new Acl(Acl.READ, ALICE));
        assertThat(Acls.fixup(List.of(new Acl(Acl.READ, new Id("x509", ""))), List.of(LOCAL)))
                .isNull();
        assertThat(Acls.fixup(List.of(new Acl(Acl.READ, new Id(Id.SUPER, "x"))), List.of(LOCAL)))
                .isNull();
    }

    @Test
    void userAndGroupAclsGrantTheNamedUserOrGroupMember() {
        List<Acl> acl = List.of(new Acl(Acl.ALL, new Id(Id.USER, "alice")), new Acl(Acl.READ, new Id(Id.GROUP, "eng")));
        assertThat(Acls.fixup(acl, List.of(LOCAL))).isEqualTo(acl);
        assertThat(Acls.permits(acl, Acl.WRITE, List.of(ALICE, new Id(Id.USER, "alice"))))
                .isTrue();
        List<Id> engBob = List.of(BOB, new Id(Id.USER, "bob"), new Id(Id.GROUP, "eng"));
        assertThat(Acls.permits(acl, Acl.READ, engBob)).isTrue();
        assertThat(Acls.permits(acl, Acl.WRITE, engBob)).isFalse();
        assertThat(Acls.permits(acl, Acl.READ, List.of(BOB, new Id(Id.USER, "bob"))))
                .isFalse();
        assertThat(Acls.fixup(List.of(new Acl(Acl.READ, new Id(Id.GROUP, "a b"))), List.of(LOCAL)))
                .isNull();
    }
}
