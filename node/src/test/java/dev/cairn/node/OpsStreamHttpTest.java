package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.config.Config;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.StreamClient;
import dev.cairn.dataflow.StreamJobSettings;
import dev.cairn.dataflow.StreamJobStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * A stream job through the REST API, on a real master and worker: its operators with their rates,
 * backpressure, watermarks and inputs (the DAG's edges), and its checkpoint history.
 */
class OpsStreamHttpTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aStreamJobShowsItsOperatorsAndCheckpointHistory() throws Exception {
        Path input = dir.resolve("in.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40_000; i++) sb.append("line ").append(i).append('\n');
        Files.writeString(input, sb);
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 1, 2, Config.defaults(NodeConfig.DEF));
                StreamClient client = StreamClient.connect(cluster.masterEndpoint())) {
            // Capped at 10,000 records a second: the job runs for about four seconds, checkpointing every 200 ms.
            Dataflow flow = Dataflow.create(
                    DataflowOptions.defaults().withParallelism(1).withMaxSourceRate(10_000));
            flow.readTextFile(input).rebalance().writeAsTextExactlyOnce(dir.resolve("out"));
            StreamJobStatus submitted = client.submit(
                    flow,
                    "lines",
                    LocalClusterTest.jarOf(dev.cairn.node.testjobs.CountWords.class),
                    "test.jar",
                    StreamJobSettings.every(Duration.ofMillis(200)));
            String url = cluster.dashboardUrl() + "api/jobs/" + submitted.jobId();
            Map<String, Object> running = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> get(url),
                            j -> j.get("state").equals("RUNNING")
                                    && !list(j.get("operators")).isEmpty()
                                    && list(j.get("checkpoints")).size() >= 2
                                    && list(j.get("operators")).stream()
                                            .anyMatch(o -> ((Number) o.get("recordsOutPerSecond")).doubleValue() > 0));
            assertThat(running).containsEntry("kind", "stream").containsEntry("name", "lines");
            List<Map<String, Object>> operators = list(running.get("operators"));
            assertThat(operators).hasSizeGreaterThanOrEqualTo(2);
            Map<String, Object> source = operators.getFirst();
            assertThat(source).containsEntry("inputs", List.of());
            // every other operator reads from an earlier one: the edges of a DAG
            for (Map<String, Object> o : operators.subList(1, operators.size())) {
                assertThat((List<?>) o.get("inputs")).isNotEmpty();
                assertThat(((Number) ((List<?>) o.get("inputs")).getFirst()).intValue())
                        .isLessThan(((Number) o.get("id")).intValue());
            }
            assertThat(operators).allSatisfy(o -> {
                assertThat(((Number) o.get("backpressure")).doubleValue()).isBetween(0.0, 1.0);
                assertThat(o).containsKey("watermark").containsKey("recordsInPerSecond");
            });
            List<Map<String, Object>> checkpoints = list(running.get("checkpoints"));
            assertThat(checkpoints)
                    .extracting(c -> ((Number) c.get("id")).longValue())
                    .isSorted();
            assertThat(checkpoints).allSatisfy(c -> {
                assertThat(((Number) c.get("durationMs")).longValue()).isNotNegative();
                assertThat(((Number) c.get("bytes")).longValue()).isNotNegative();
            });
            assertThat(running.get("latestCheckpoint")).isEqualTo(checkpoints.getLast());
            // A stream job has no task table.
            HttpResponse<String> tasks = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "/tasks")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tasks.statusCode()).isEqualTo(404);
            assertThat(tasks.body()).contains("is a stream job");
            client.cancel(submitted.jobId());
        }
    }

    private static Map<String, Object> get(String url) throws Exception {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new Yaml().load(r.body());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
