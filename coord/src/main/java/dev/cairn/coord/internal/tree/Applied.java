package dev.cairn.coord.internal.tree;

import java.util.List;

/** What applying one transaction did: its result, and the watch events it fired, in order. */
public record Applied(Result result, List<WatchEvent> events) {
    public Applied {
        events = List.copyOf(events);
    }
}
