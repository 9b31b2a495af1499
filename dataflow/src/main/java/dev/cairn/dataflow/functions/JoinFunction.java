package dev.cairn.dataflow.functions;

import java.io.Serializable;

/** Combines one left and one right record of the same key and window into an output. */
@FunctionalInterface
public interface JoinFunction<L, R, O> extends Serializable {
    O join(L left, R right) throws Exception;
}
