package dev.cairn.batch;

import java.util.Iterator;

/**
 * Folds all values of one key into output pairs. Keys arrive in the order of their encoded
 * bytes (see {@link dev.cairn.common.codec.Codec}); each key exactly once per job.
 *
 * <p>Instances follow the same life cycle as {@link Mapper}'s. The values iterator is valid only
 * during the call and may be traversed once.
 */
public interface Reducer<K, V, KO, VO> {

    default void setup(TaskContext context) throws Exception {}

    void reduce(K key, Iterator<V> values, Emitter<KO, VO> out) throws Exception;

    default void cleanup(Emitter<KO, VO> out) throws Exception {}
}
