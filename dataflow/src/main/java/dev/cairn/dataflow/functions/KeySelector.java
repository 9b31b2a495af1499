package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Extracts the key of a record. Must be deterministic: the same record always gives an equal key
 * (equal in {@code equals} and in its encoding), because the key decides which subtask owns the
 * record and is computed again by the receiver.
 */
@FunctionalInterface
public interface KeySelector<T, K> extends Serializable {
    K getKey(T value) throws Exception;
}
