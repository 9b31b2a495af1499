package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The jobs list of a master that remembers many finished jobs, on a real master and workers: it
 * is answered one bounded page at a time, newest first, with the total in a header.
 */
class OpsManyJobsTest {
    /** As many as the dashboard must stay usable with; about 50 s of tiny jobs on two workers. */
    private static final int JOBS = 1000;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private record Timed(int status, String body, long total, Duration took) {}

    private static Timed get(String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        long total = Long.parseLong(r.headers().firstValue("X-Total-Count").orElse("-1"));
        return new Timed(r.statusCode(), r.body(), total, Duration.ofNanos(System.nanoTime() - start));
    }

    @Test
    void aThousandFinishedJobsAreListedInPages() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in"));
        Files.writeString(input.resolve("a.txt"), "a b\n");
        Config config = Config.defaults(NodeConfig.DEF)
                .with(BatchConfig.MASTER_JOB_HISTORY, JOBS)
                .with(BatchConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(50));
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"), 2, 4, config);
                BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            byte[] jar = LocalClusterTest.jarOf(CountWords.class);
            long start = System.nanoTime();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                JobStatus s = client.submit(
                        new CountWords().define(new String[] {
                            input.toString(), dir.resolve("out-" + i).toString()
                        }),
                        jar,
                        "test-jobs.jar");
                ids.add(s.jobId());
            }
            await().atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> client.status(ids.getLast()).state().isTerminal()
                            && ids.stream()
                                    .allMatch(id -> client.status(id).state().isTerminal()));
            long ranMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            String base = cluster.dashboardUrl();

            Timed first = get(base + "api/jobs");
            assertThat(first.status).isEqualTo(200);
            assertThat(first.total).isEqualTo(JOBS);
            List<Map<String, Object>> page = new Yaml().load(first.body);
            assertThat(page).as("the default page").hasSize(100);
            assertThat(page.getFirst()).containsEntry("id", ids.getLast()).containsEntry("state", "SUCCEEDED");
            assertThat(first.body.length()).as("a page of 100 jobs").isLessThan(32 << 10);
            assertThat(first.took).as("after %d ms of jobs", ranMs).isLessThan(Duration.ofSeconds(3));

            Timed last = get(base + "api/jobs?limit=50&offset=" + (JOBS - 10));
            List<Map<String, Object>> tail = new Yaml().load(last.body);
            assertThat(tail).hasSize(10);
            assertThat(tail.getLast()).containsEntry("id", ids.getFirst());

            Timed all = get(base + "api/jobs?limit=1000");
            assertThat(new Yaml().<List<Object>>load(all.body)).hasSize(JOBS);
            assertThat(all.body.length()).isLessThan(512 << 10);
            assertThat(all.took).isLessThan(Duration.ofSeconds(3));
            assertThat(get(base + "api/jobs?limit=1001").status).isEqualTo(400);
            assertThat(get(base + "api/jobs/" + ids.getFirst()).status).isEqualTo(200);
            assertThat(get(base + "api/cluster").took).isLessThan(Duration.ofSeconds(3));
        }
    }
}
