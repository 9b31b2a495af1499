package dev.cairn.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** What {@code cluster up} wrote into its directory's {@code cluster.json}. */
final class ClusterJson {
    private ClusterJson() {}

    /** The whole file of the cluster started in {@code clusterDir}. */
    static Map<String, Object> read(Path clusterDir) throws IOException {
        return new Yaml().load(Files.readString(clusterDir.resolve("cluster.json")));
    }

    /** The process id of node {@code nodeId} ("worker-2"). */
    @SuppressWarnings("unchecked")
    static long pid(Path clusterDir, String nodeId) throws IOException {
        return ((List<Map<String, Object>>) read(clusterDir).get("nodes"))
                .stream()
                        .filter(n -> n.get("id").equals(nodeId))
                        .map(n -> ((Number) n.get("pid")).longValue())
                        .findFirst()
                        .orElseThrow();
    }
}
