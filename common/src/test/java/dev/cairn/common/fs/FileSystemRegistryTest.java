package dev.cairn.common.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FileSystemRegistryTest {
    @Test
    void plainPathsAndFileUrisAreLocalAndOtherSchemesNeedAFileSystem() {
        FileSystemRegistry r = FileSystemRegistry.local();
        assertThat(r.forPath("/data/in.txt")).isSameAs(LocalFileSystem.INSTANCE);
        assertThat(r.forPath("relative/in.txt")).isSameAs(LocalFileSystem.INSTANCE);
        assertThat(r.forPath("file:///data/in.txt")).isSameAs(LocalFileSystem.INSTANCE);
        assertThatThrownBy(() -> r.forPath("hdfs://nn/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no file system for scheme hdfs (hdfs://nn/x): unknown scheme; known: file");
        assertThatThrownBy(() -> r.unavailable("cairn", "this node has no coord connection")
                        .forPath("cairn:///in"))
                .hasMessage("no file system for scheme cairn (cairn:///in): this node has no coord connection");
    }

    @Test
    void pathsComeApartAfterTheirSchemeAndAuthority() {
        assertThat(FsPaths.scheme("cairn:///a")).isEqualTo("cairn");
        assertThat(FsPaths.scheme("/a:b")).isNull();
        assertThat(FsPaths.scheme("C:/x")).as("a drive letter").isNull();
        assertThat(FsPaths.parent("cairn:///out/wc")).isEqualTo("cairn:///out");
        assertThat(FsPaths.parent("cairn:///wc")).isEqualTo("cairn:///");
        assertThat(FsPaths.parent("cairn:///")).isEqualTo("cairn:///");
        assertThat(FsPaths.parent("/wc")).isEqualTo("/");
        assertThat(FsPaths.parent("/a/b")).isEqualTo("/a");
        assertThat(FsPaths.name("cairn:///out/wc")).isEqualTo("wc");
        assertThat(FsPaths.name("cairn:///")).isEmpty();
        assertThat(FsPaths.child("cairn:///", "x")).isEqualTo("cairn:///x");
        assertThat(FsPaths.child("/a", "x")).isEqualTo("/a/x");
    }
}
