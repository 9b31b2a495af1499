package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.BatchConfig;
import dev.cairn.batch.JobStatus;
import dev.cairn.common.config.Config;
import dev.cairn.node.testjobs.CountWords;
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
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The REST API over a job of more than ten thousand tasks, on a real master with a real worker:
 * a job's answer and a page of its tasks stay small and quick however many tasks it has, and the
 * page is sorted and cut on the server.
 */
class OpsLoadTest {
    private static final int MAP_TASKS = 10_000;
    /** The largest page of tasks the API gives. */
    private static final int MAX_PAGE = 10_000;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aJobOfTenThousandTasksIsAnsweredInSmallPages() throws Exception {
        // 10,000 splits of 16 bytes: a map task each, and three reduce tasks.
        Path input = Files.createDirectories(dir.resolve("in"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MAP_TASKS * 4; i++) sb.append("w").append(i % 10).append(" \n");
        Files.writeString(input.resolve("a.txt"), sb);
        assertThat(Files.size(input.resolve("a.txt"))).isEqualTo(MAP_TASKS * 16L);
        Config config = Config.defaults(NodeConfig.DEF)
                .with(BatchConfig.MASTER_SPLIT_SIZE, 16L)
                .with(BatchConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(200));
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 1, 1, config);
                BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            String base = cluster.dashboardUrl();
            JobStatus job = client.submit(
                    new CountWords().define(new String[] {
                        input.toString(), dir.resolve("out").toString()
                    }),
                    LocalClusterTest.jarOf(CountWords.class),
                    "test-jobs.jar");
            try {
                String id = job.jobId();
                Timed detail = get(base + "api/jobs/" + id);
                assertThat(detail.status).isEqualTo(200);
                Map<String, Object> body = parse(detail.body);
                assertThat(((Number) body.get("tasksTotal")).intValue()).isEqualTo(MAP_TASKS + 3);
                assertThat((List<?>) body.get("tasks")).hasSize(100);
                assertThat(detail.body.length()).as("a job's answer").isLessThan(64 << 10);
                assertThat(detail.took).isLessThan(Duration.ofSeconds(3));

                Timed last = get(base + "api/jobs/" + id + "/tasks?limit=50&offset=" + MAP_TASKS);
                Map<String, Object> page = parse(last.body);
                assertThat(((Number) page.get("total")).intValue()).isEqualTo(MAP_TASKS + 3);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> tasks = (List<Map<String, Object>>) page.get("tasks");
                // sorted by stage and index: the last three are the reduces
                assertThat(tasks)
                        .extracting(t -> t.get("id"))
                        .containsExactly("reduce-00000", "reduce-00001", "reduce-00002");
                assertThat(last.took).isLessThan(Duration.ofSeconds(3));

                Timed sorted = get(base + "api/jobs/" + id + "/tasks?limit=50&sort=state&desc=true");
                assertThat(sorted.status).isEqualTo(200);
                assertThat(sorted.body.length()).as("a page of 50 tasks").isLessThan(32 << 10);
                assertThat(sorted.took).isLessThan(Duration.ofSeconds(3));

                // The largest page the server gives is all of them, still in one bounded answer.
                Timed all = get(base + "api/jobs/" + id + "/tasks?limit=" + MAX_PAGE);
                assertThat((List<?>) parse(all.body).get("tasks")).hasSize(MAX_PAGE);
                assertThat(all.body.length()).isLessThan(4 << 20);
                assertThat(get(base + "api/jobs/" + id + "/tasks?limit=" + (MAX_PAGE + 1)).status)
                        .isEqualTo(400);
            } finally {
                client.cancel(job.jobId());
            }
        }
    }

    private record Timed(int status, String body, Duration took) {}

    private static Timed get(String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return new Timed(r.statusCode(), r.body(), Duration.ofNanos(System.nanoTime() - start));
    }

    private static Map<String, Object> parse(String json) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(16 << 20);
        return new Yaml(options).load(json);
    }
}
