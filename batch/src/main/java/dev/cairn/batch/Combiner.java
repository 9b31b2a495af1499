package dev.cairn.batch;

/**
 * Merges two intermediate values of the same key into one, on the map side, before the shuffle.
 *
 * <p>Must be associative and commutative, and consistent with the reducer: the engine may apply
 * it zero, one or many times, in any grouping, to any subset of a key's values. In exchange it
 * can pre-aggregate in a hash table as records are emitted, which is what makes jobs like word
 * count cheap to shuffle. Instances are created per task attempt like {@link Mapper}.
 */
@FunctionalInterface
public interface Combiner<V> {
    V combine(V left, V right) throws Exception;
}
