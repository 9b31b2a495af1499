package dev.cairn.dataflow.internal.checkpoint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checkpoint storage in maps, for the simulation: what is written survives every simulated crash. */
final class InMemoryCheckpointStorage implements CheckpointStorage {
    private final Map<Long, Map<String, byte[]>> states = new HashMap<>();
    private final TreeMap<Long, byte[]> metadata = new TreeMap<>();

    @Override
    public void writeState(long checkpointId, String subtask, byte[] state) {
        states.computeIfAbsent(checkpointId, k -> new HashMap<>()).put(subtask, state.clone());
    }

    @Override
    public byte[] readState(long checkpointId, String subtask) {
        Map<String, byte[]> m = states.get(checkpointId);
        return m == null ? null : m.get(subtask);
    }

    @Override
    public void commitMetadata(long checkpointId, byte[] bytes) {
        metadata.put(checkpointId, bytes.clone());
    }

    @Override
    public byte[] readMetadata(long checkpointId) {
        return metadata.get(checkpointId);
    }

    @Override
    public List<Long> completed() {
        return new ArrayList<>(metadata.keySet());
    }

    @Override
    public void discard(long checkpointId) {
        metadata.remove(checkpointId);
        states.remove(checkpointId);
    }

    /** Subtasks whose state of a checkpoint is stored. */
    int statesOf(long checkpointId) {
        Map<String, byte[]> m = states.get(checkpointId);
        return m == null ? 0 : m.size();
    }
}
