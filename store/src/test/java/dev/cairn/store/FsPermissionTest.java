package dev.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.store.FsPermission.Right;
import dev.cairn.store.FsPermission.Who;
import org.junit.jupiter.api.Test;

class FsPermissionTest {
    @Test
    void showsAsLsDoesAndParsesOctal() {
        assertThat(FsPermission.parse("750")).hasToString("rwxr-x---");
        assertThat(FsPermission.parse("0644")).hasToString("rw-r--r--");
        assertThat(new FsPermission(0).toString()).isEqualTo("---------");
        assertThat(FsPermission.parse("7").octal()).isEqualTo("007");
        for (int bits = 0; bits <= 0777; bits++)
            assertThat(FsPermission.parse(new FsPermission(bits).octal()).bits())
                    .isEqualTo(bits);
    }

    @Test
    void theUmaskClearsBits() {
        assertThat(FsPermission.DIR_DEFAULT.minus(FsPermission.parse("022"))).hasToString("rwxr-xr-x");
        assertThat(FsPermission.FILE_DEFAULT.minus(FsPermission.parse("027"))).hasToString("rw-r-----");
    }

    @Test
    void rightsPerClass() {
        FsPermission p = FsPermission.parse("754");
        assertThat(p.allows(Who.OWNER, Right.WRITE)).isTrue();
        assertThat(p.allows(Who.GROUP, Right.WRITE)).isFalse();
        assertThat(p.allows(Who.GROUP, Right.EXECUTE)).isTrue();
        assertThat(p.allows(Who.OTHER, Right.READ)).isTrue();
        assertThat(p.allows(Who.OTHER, Right.EXECUTE)).isFalse();
    }

    @Test
    void badModesAreNamed() {
        assertThatThrownBy(() -> FsPermission.parse("778")).hasMessageContaining("'778'");
        assertThatThrownBy(() -> FsPermission.parse("rwx")).hasMessageContaining("'rwx'");
        assertThatThrownBy(() -> new FsPermission(01000)).hasMessageContaining("1000");
    }
}
