package dev.cairn.coord.internal.tree;

import java.util.List;

/** The outcome of applying a {@link Txn}; identical on every replica. */
public sealed interface Result {
    record Created(String actualPath, Stat stat) implements Result {}

    record Deleted() implements Result {}

    /** After setData or setACL: the node's new Stat. */
    record StatResult(Stat stat) implements Result {}

    record Checked() implements Result {}

    /** A failed operation; inside a failed multi, operations before the failing one carry {@link Code#OK}. */
    @SuppressWarnings("AvoidCommonTypeNames") // always written Result.Error; a rename is the coord code's owners' call
    record Error(Code code, String path) implements Result {}

    /** One result per operation, in order; all {@link Error} when the multi failed. */
    record MultiResult(List<Result> results) implements Result {
        public MultiResult {
            results = List.copyOf(results);
        }

        public boolean failed() {
            return results.stream().anyMatch(r -> r instanceof Error e && e.code() != Code.OK);
        }
    }

    record SessionCreated(long id) implements Result {}

    /** The session's ephemeral nodes that were deleted with it. */
    record SessionClosed(List<String> deleted) implements Result {
        public SessionClosed {
            deleted = List.copyOf(deleted);
        }
    }
}
