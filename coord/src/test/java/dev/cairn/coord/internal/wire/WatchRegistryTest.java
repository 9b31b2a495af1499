package dev.cairn.coord.internal.wire;

import static dev.cairn.coord.internal.wire.WatchRegistry.Event.NODE_CHILDREN_CHANGED;
import static dev.cairn.coord.internal.wire.WatchRegistry.Event.NODE_CREATED;
import static dev.cairn.coord.internal.wire.WatchRegistry.Event.NODE_DATA_CHANGED;
import static dev.cairn.coord.internal.wire.WatchRegistry.Event.NODE_DELETED;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.CHILD;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.DATA;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.PERSISTENT;
import static dev.cairn.coord.internal.wire.WatchRegistry.Kind.PERSISTENT_RECURSIVE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WatchRegistryTest {
    private final WatchRegistry<String> watches = new WatchRegistry<>();

    @Test
    void oneShotDataAndChildWatchesFireOnTheirEventsOnce() {
        watches.add(DATA, "/a", "c1");
        watches.add(CHILD, "/a", "c2");
        assertThat(watches.fire(NODE_CHILDREN_CHANGED, "/a")).containsExactly("c2");
        assertThat(watches.fire(NODE_CHILDREN_CHANGED, "/a")).as("consumed").isEmpty();
        assertThat(watches.fire(NODE_DATA_CHANGED, "/a")).containsExactly("c1");
        assertThat(watches.fire(NODE_DATA_CHANGED, "/a")).isEmpty();

        watches.add(DATA, "/b", "c1");
        watches.add(CHILD, "/b", "c1");
        assertThat(watches.fire(NODE_DELETED, "/b"))
                .as("deletion fires both kinds, once per watcher")
                .containsExactly("c1");
        assertThat(watches.size()).isZero();
    }

    @Test
    void persistentWatchesStayAndRecursiveOnesSeeDescendantsButNotChildEvents() {
        watches.add(PERSISTENT, "/a", "p");
        watches.add(PERSISTENT_RECURSIVE, "/a", "r");
        watches.add(PERSISTENT_RECURSIVE, "/", "root");
        assertThat(watches.fire(NODE_CREATED, "/a")).containsExactly("p", "r", "root");
        assertThat(watches.fire(NODE_CHILDREN_CHANGED, "/a")).containsExactly("p");
        assertThat(watches.fire(NODE_DATA_CHANGED, "/a/b/c")).containsExactly("r", "root");
        assertThat(watches.fire(NODE_DELETED, "/ab")).as("/ab is not below /a").containsExactly("root");
        assertThat(watches.fire(NODE_CREATED, "/a")).containsExactly("p", "r", "root");
    }

    @Test
    void removingWatchesAndWatchers() {
        watches.add(DATA, "/x", "c1");
        watches.add(CHILD, "/x", "c1");
        watches.add(DATA, "/x", "c2");
        assertThat(watches.remove(DATA, "/x", "c1")).isTrue();
        assertThat(watches.remove(DATA, "/x", "c1")).isFalse();
        assertThat(watches.contains(CHILD, "/x", "c1")).isTrue();
        watches.removeAll("c1");
        assertThat(watches.paths(CHILD, "c1")).isEmpty();
        assertThat(watches.fire(NODE_DELETED, "/x")).containsExactly("c2");
    }
}
