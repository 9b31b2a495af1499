package dev.cairn.coord.internal.tree;

import java.util.Objects;

/** An identity in ZooKeeper's ACL model: a scheme ({@code world}, {@code auth}, {@code digest}, {@code ip}) and an id. */
public record Id(String scheme, String id) {
    public static final Id ANYONE = new Id("world", "anyone");

    public Id {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(id, "id");
    }
}
