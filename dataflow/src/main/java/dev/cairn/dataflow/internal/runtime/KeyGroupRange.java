package dev.cairn.dataflow.internal.runtime;

/**
 * The key groups {@code [first, last]} one subtask owns; empty when {@code last < first}. The
 * unit of keyed state that snapshots and rescaling move.
 */
public record KeyGroupRange(int first, int last) {
    public static final KeyGroupRange EMPTY = new KeyGroupRange(0, -1);

    /** The range of subtask {@code index} of {@code parallelism}, as {@link KeyGroups#subtaskFor} assigns. */
    public static KeyGroupRange forSubtask(int maxParallelism, int parallelism, int index) {
        int first = (index * maxParallelism + parallelism - 1) / parallelism;
        int last = ((index + 1) * maxParallelism - 1) / parallelism;
        return new KeyGroupRange(first, last);
    }

    public int size() {
        return Math.max(0, last - first + 1);
    }

    public boolean contains(int keyGroup) {
        return keyGroup >= first && keyGroup <= last;
    }
}
