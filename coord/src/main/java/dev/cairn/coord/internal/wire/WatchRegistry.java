package dev.cairn.coord.internal.wire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watches that clients connected to this member have set, and which of them an event fires,
 * with ZooKeeper's rules:
 * <ul>
 *   <li>one-shot <em>data</em> watches (getData, exists) fire on NodeCreated, NodeDataChanged and
 *       NodeDeleted of their path; one-shot <em>child</em> watches (getChildren) fire on
 *       NodeChildrenChanged and NodeDeleted of their path; both are gone once fired;
 *   <li>persistent watches fire on every event of their path and stay;
 *   <li>persistent recursive watches fire on every event of their path and of every path below
 *       it, except NodeChildrenChanged, and stay;
 *   <li>a watcher hears each event once, however many of its watches match it.
 * </ul>
 * Watches live on the member the client is connected to (as in ZooKeeper); a client that moves
 * to another member re-registers them with setWatches. Thread-safe.
 *
 * @param <W> the watcher, i.e. a client connection
 */
public final class WatchRegistry<W> {
    public enum Kind {
        DATA,
        CHILD,
        PERSISTENT,
        PERSISTENT_RECURSIVE
    }

    public enum Event {
        NODE_CREATED,
        NODE_DELETED,
        NODE_DATA_CHANGED,
        NODE_CHILDREN_CHANGED
    }

    private final Map<Kind, Map<String, Set<W>>> watches = new HashMap<>();

    public WatchRegistry() {
        for (Kind k : Kind.values()) watches.put(k, new HashMap<>());
    }

    public synchronized void add(Kind kind, String path, W watcher) {
        watches.get(kind).computeIfAbsent(path, p -> new LinkedHashSet<>()).add(watcher);
    }

    /** Removes one watch; true if it was there. */
    public synchronized boolean remove(Kind kind, String path, W watcher) {
        Map<String, Set<W>> byPath = watches.get(kind);
        Set<W> set = byPath.get(path);
        if (set == null || !set.remove(watcher)) return false;
        if (set.isEmpty()) byPath.remove(path);
        return true;
    }

    public synchronized boolean contains(Kind kind, String path, W watcher) {
        Set<W> set = watches.get(kind).get(path);
        return set != null && set.contains(watcher);
    }

    /** Forgets every watch of a watcher (its connection closed). */
    public synchronized void removeAll(W watcher) {
        for (Map<String, Set<W>> byPath : watches.values()) {
            byPath.values().removeIf(set -> set.remove(watcher) && set.isEmpty());
        }
    }

    /** The watchers an event fires, each once, in registration order; one-shot watches are consumed. */
    public synchronized Set<W> fire(Event event, String path) {
        Set<W> out = new LinkedHashSet<>();
        boolean dataEvent = event != Event.NODE_CHILDREN_CHANGED;
        boolean childEvent = event == Event.NODE_CHILDREN_CHANGED || event == Event.NODE_DELETED;
        if (dataEvent) take(Kind.DATA, path, out);
        if (childEvent) take(Kind.CHILD, path, out);
        Set<W> persistent = watches.get(Kind.PERSISTENT).get(path);
        if (persistent != null) out.addAll(persistent);
        if (event != Event.NODE_CHILDREN_CHANGED) {
            Map<String, Set<W>> recursive = watches.get(Kind.PERSISTENT_RECURSIVE);
            if (!recursive.isEmpty()) {
                for (String p = path; p != null; p = parent(p)) {
                    Set<W> set = recursive.get(p);
                    if (set != null) out.addAll(set);
                }
            }
        }
        return out;
    }

    private void take(Kind kind, String path, Set<W> out) {
        Set<W> set = watches.get(kind).remove(path);
        if (set != null) out.addAll(set);
    }

    /** The paths a watcher watches with one kind, for 'wchs'-style reports and tests. */
    public synchronized List<String> paths(Kind kind, W watcher) {
        List<String> out = new ArrayList<>();
        watches.get(kind).forEach((p, set) -> {
            if (set.contains(watcher)) out.add(p);
        });
        out.sort(null);
        return out;
    }

    /** Watches of every kind in total. */
    public synchronized int size() {
        int n = 0;
        for (Map<String, Set<W>> byPath : watches.values()) for (Set<W> s : byPath.values()) n += s.size();
        return n;
    }

    static String parent(String path) {
        if (path.equals("/")) return null;
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }
}
