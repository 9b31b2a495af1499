package dev.cairn.dataflow.internal.checkpoint;

import java.io.IOException;

/**
 * What an operator's snapshot leaves to do off its thread before the snapshot may be stored and
 * acknowledged, such as uploading the files its bytes refer to. The runtime runs it on the
 * checkpoint writer's thread, then stores the snapshot; if it throws, the checkpoint fails.
 */
@FunctionalInterface
public interface AsyncSnapshotPart {
    void run() throws IOException;
}
