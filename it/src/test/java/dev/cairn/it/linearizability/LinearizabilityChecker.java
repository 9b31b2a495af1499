package dev.cairn.it.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Checks that a history of operations on versioned registers (znodes) is linearizable: Wing &amp;
 * Gong's search as improved by Lowe (and used by Porcupine) — try to order the operations one by
 * one, each between its invocation and its response, such that a sequential register explains
 * every result; cache (linearized set, state) pairs already explored; check each key on its own,
 * since linearizability is compositional.
 *
 * <p>Operations whose outcome is UNKNOWN may take effect at any point after their invocation, or
 * never. A lost acknowledged write shows up as a read (or a CAS outcome) that no order explains.
 */
public final class LinearizabilityChecker {
    /** A register's state: the data and its version (every successful setData adds one). */
    record State(String value, int version) {}

    public record Result(boolean linearizable, String explanation, int operations) {}

    private final long maxSteps;

    public LinearizabilityChecker(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** @param initial each key's state before the history (value, version) */
    public Result check(List<Op> history, Map<String, String> initialValues) {
        Map<String, List<Op>> byKey =
                history.stream().collect(Collectors.groupingBy(Op::key, TreeMap::new, Collectors.toList()));
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            String initial = initialValues.get(e.getKey());
            Result r = checkKey(e.getKey(), e.getValue(), new State(initial, 0));
            if (!r.linearizable()) return r;
        }
        return new Result(true, "linearizable", history.size());
    }

    private Result checkKey(String key, List<Op> ops, State initial) {
        List<Op> sorted = new ArrayList<>(ops);
        sorted.sort(Comparator.comparingLong(Op::invokeNanos));
        Search s = new Search(sorted);
        boolean ok = s.run(initial);
        if (ok) return new Result(true, "linearizable", ops.size());
        if (s.steps >= maxSteps)
            return new Result(false, "inconclusive for " + key + ": gave up after " + s.steps + " steps", ops.size());
        StringBuilder why = new StringBuilder("not linearizable on ")
                .append(key)
                .append(": the longest explainable prefix has ")
                .append(s.best.cardinality())
                .append(" of ")
                .append(sorted.size())
                .append(" operations; none of these could come next:\n");
        for (int i : s.bestStuck) why.append("  ").append(sorted.get(i)).append('\n');
        why.append("state then: ").append(s.bestState);
        return new Result(false, why.toString(), ops.size());
    }

    /** A configuration of the search: which operations are linearized, and the register's state after them. */
    private record Explored(BitSet done, State state) {}

    private final class Search {
        final List<Op> ops;
        final int mustCount;
        /** Configurations explored: a BitSet key costs ops/8 bytes, its string form ~6 bytes per op. */
        final Set<Explored> seen = new HashSet<>();

        long steps;
        BitSet best = new BitSet();
        List<Integer> bestStuck = List.of();
        State bestState;

        Search(List<Op> ops) {
            this.ops = ops;
            this.mustCount = (int)
                    ops.stream().filter(o -> o.outcome() != Op.Outcome.UNKNOWN).count();
        }

        boolean run(State initial) {
            bestState = initial;
            // An explicit stack, not recursion: histories have thousands of operations.
            record Frame(BitSet done, State state, int doneMust) {}
            ArrayList<Frame> stack = new ArrayList<>();
            stack.add(new Frame(new BitSet(), initial, 0));
            while (!stack.isEmpty()) {
                if (++steps > maxSteps) return false;
                Frame f = stack.removeLast();
                if (f.doneMust() == mustCount) return true;
                if (!seen.add(new Explored(f.done(), f.state()))) continue;
                // Candidates: not yet linearized, invoked before the earliest response among the rest.
                long minReturn = Long.MAX_VALUE;
                for (int i = f.done().nextClearBit(0);
                        i < ops.size();
                        i = f.done().nextClearBit(i + 1)) {
                    minReturn = Math.min(minReturn, ops.get(i).returnNanos());
                }
                List<Integer> stuck = new ArrayList<>();
                for (int i = f.done().nextClearBit(0);
                        i < ops.size() && ops.get(i).invokeNanos() < minReturn;
                        i = f.done().nextClearBit(i + 1)) {
                    Op op = ops.get(i);
                    // An operation whose outcome the client never learned may also have had no effect:
                    // that is the search never picking it (it never bounds minReturn, and success
                    // counts only the others). Marking it done-without-effect instead would double
                    // the configurations for every such operation and explain nothing more.
                    boolean unknown = op.outcome() == Op.Outcome.UNKNOWN;
                    State next = apply(f.state(), op);
                    if (next == null) {
                        if (!unknown) stuck.add(i);
                        continue;
                    }
                    BitSet done = (BitSet) f.done().clone();
                    done.set(i);
                    stack.add(new Frame(done, next, f.doneMust() + (unknown ? 0 : 1)));
                }
                if (f.done().cardinality() >= best.cardinality()) {
                    best = f.done();
                    bestStuck = stuck;
                    bestState = f.state();
                }
            }
            return false;
        }
    }

    /** The state after {@code op}, or null when {@code op}'s reported result is impossible in {@code s}. */
    static State apply(State s, Op op) {
        return switch (op.kind()) {
            case READ -> s.value().equals(op.value()) && s.version() == op.version() ? s : null;
            case WRITE ->
                switch (op.outcome()) {
                    case OK -> op.version() == s.version() + 1 ? new State(op.value(), s.version() + 1) : null;
                    case UNKNOWN -> new State(op.value(), s.version() + 1);
                    case FAILED -> s;
                };
            case CAS ->
                switch (op.outcome()) {
                    case OK -> s.version() == op.expected() ? new State(op.value(), s.version() + 1) : null;
                    case FAILED -> s.version() != op.expected() ? s : null;
                    case UNKNOWN -> s.version() == op.expected() ? new State(op.value(), s.version() + 1) : null;
                };
        };
    }
}
