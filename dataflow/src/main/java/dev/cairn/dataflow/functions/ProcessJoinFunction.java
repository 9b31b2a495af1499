package dev.cairn.dataflow.functions;

import java.io.Serializable;

/**
 * Called for each pair of an interval join: a left and a right record of the same key whose
 * timestamps satisfy {@code right.ts in [left.ts + lower, left.ts + upper]}. Outputs carry the
 * larger of the two timestamps.
 */
@FunctionalInterface
public interface ProcessJoinFunction<L, R, O> extends Serializable {
    void processElement(L left, R right, long leftTimestamp, long rightTimestamp, Collector<O> out) throws Exception;
}
