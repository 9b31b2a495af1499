package dev.cairn.dataflow;

/**
 * The direction of {@link Stream#sortBy}. Keys sort in their codec's order: numbers numerically,
 * strings by code point, records component by component; descending reverses the whole key (to
 * sort one component the other way, negate it in the key, as in {@code -revenue}).
 */
public enum SortOrder {
    ASCENDING,
    DESCENDING
}
