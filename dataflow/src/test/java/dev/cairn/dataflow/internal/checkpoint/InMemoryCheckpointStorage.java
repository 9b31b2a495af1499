package dev.cairn.dataflow.internal.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checkpoint storage in maps, for the simulation: what is written survives every simulated crash. */
final class InMemoryCheckpointStorage implements CheckpointStorage {
    private final Map<Long, Map<String, byte[]>> states = new HashMap<>();
    private final TreeMap<Long, byte[]> metadata = new TreeMap<>();
    private final Map<String, byte[]> shared = new HashMap<>();

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

    /** Shared files are kept for good: the simulation's checkpoints reference none. */
    @Override
    public void referenceSharedFiles(long checkpointId, String owner, Collection<String> names) {}

    @Override
    public void writeSharedFile(String name, Path file) throws IOException {
        shared.putIfAbsent(name, Files.readAllBytes(file));
    }

    @Override
    public void readSharedFile(String name, Path target) throws IOException {
        byte[] bytes = shared.get(name);
        if (bytes == null) throw new NoSuchFileException(name, null, "no shared file");
        Files.write(target, bytes, StandardOpenOption.CREATE_NEW);
    }

    /** Subtasks whose state of a checkpoint is stored. */
    int statesOf(long checkpointId) {
        Map<String, byte[]> m = states.get(checkpointId);
        return m == null ? 0 : m.size();
    }
}
