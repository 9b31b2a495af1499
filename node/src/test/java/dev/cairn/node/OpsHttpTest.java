package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.BatchConfig;
import dev.cairn.batch.JobStatus;
import dev.cairn.common.config.Config;
import dev.cairn.common.time.Clock;
import dev.cairn.coord.CoordConfig;
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
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The nodes' HTTP servers over loopback, against a real master and two workers in this JVM: the
 * REST API's answers (and its 400, 404 and 405 ones), the dashboard's files, every node's
 * metrics, and a standby master's redirect to the active one.
 */
class OpsHttpTest {
    @TempDir
    static Path dir;

    private static LocalCluster cluster;
    private static String base;
    private static String jobId;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void runAJob() throws Exception {
        Path input = Files.createDirectories(dir.resolve("in"));
        Random random = new Random(3);
        StringBuilder sb = new StringBuilder();
        for (int line = 0; line < 3000; line++)
            sb.append("w").append(random.nextInt(200)).append(" x y\n");
        Files.writeString(input.resolve("a.txt"), sb);
        Config config = Config.defaults(NodeConfig.DEF)
                .with(BatchConfig.MASTER_SPLIT_SIZE, 10_000L)
                .with(BatchConfig.WORKER_HEARTBEAT_INTERVAL, Duration.ofMillis(200));
        cluster = LocalCluster.start(dir.resolve("cluster"), 2, 2, config);
        base = cluster.dashboardUrl();
        try (BatchClient client = BatchClient.connect(cluster.masterEndpoint())) {
            JobStatus submitted = client.submit(
                    new CountWords().define(new String[] {
                        input.toString(), dir.resolve("out").toString()
                    }),
                    LocalClusterTest.jarOf(CountWords.class),
                    "test-jobs.jar");
            jobId = submitted.jobId();
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> client.status(jobId).state().isTerminal());
        }
    }

    @AfterAll
    static void down() {
        if (cluster != null) cluster.close();
    }

    @Test
    void jobsListsTheJobWithIdStateAndProgress() throws Exception {
        HttpResponse<String> r = get("api/jobs");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        List<Map<String, Object>> jobs = new Yaml().load(r.body());
        assertThat(jobs).singleElement().satisfies(j -> {
            assertThat(j).containsEntry("id", jobId).containsEntry("state", "SUCCEEDED");
            assertThat(j).containsEntry("kind", "batch").containsEntry("name", "count-words");
            assertThat(((Number) j.get("progress")).doubleValue()).isEqualTo(1.0);
        });
        assertThat(r.headers().firstValue("X-Total-Count")).hasValue("1");
    }

    @Test
    void aJobShowsItsStagesAndTasks() throws Exception {
        HttpResponse<String> r = get("api/jobs/" + jobId);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> job = new Yaml().load(r.body());
        assertThat(job).containsEntry("id", jobId).containsEntry("state", "SUCCEEDED");
        List<Map<String, Object>> stages = list(job.get("stages"));
        assertThat(stages).extracting(s -> s.get("name")).containsExactly("map", "reduce");
        int mapTasks = ((Number) stages.getFirst().get("total")).intValue();
        assertThat(mapTasks).isGreaterThan(1);
        assertThat(stages.getFirst()).containsEntry("done", mapTasks);
        List<Map<String, Object>> tasks = list(job.get("tasks"));
        assertThat(tasks).hasSize(((Number) job.get("tasksTotal")).intValue());
        assertThat(tasks).allSatisfy(t -> {
            assertThat(t).containsEntry("state", "SUCCEEDED");
            assertThat((String) t.get("worker")).startsWith("worker-");
            assertThat(((Number) t.get("attempt")).intValue()).isGreaterThanOrEqualTo(1);
        });
        Map<String, Object> limited =
                new Yaml().load(get("api/jobs/" + jobId + "?tasks=1").body());
        assertThat(list(limited.get("tasks"))).hasSize(1);
    }

    @Test
    void clusterShowsTheActiveMasterAndTheWorkers() throws Exception {
        HttpResponse<String> r = get("api/cluster");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> c = new Yaml().load(r.body());
        assertThat(c).containsEntry("activeMaster", cluster.masterEndpoint());
        assertThat(list(c.get("masters")))
                .singleElement()
                .satisfies(m -> assertThat(m).containsEntry("state", "active").containsEntry("dashboard", base));
        assertThat(list(c.get("nodes")))
                .hasSize(2)
                .allSatisfy(n -> assertThat(n).containsEntry("state", "ALIVE").containsEntry("slots", 2));
    }

    @Test
    void unknownIdsAre404WithAJsonError() throws Exception {
        for (String path : List.of("api/jobs/job-9999", "api/nothing-here", "no/such/page")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            Map<String, Object> body = new Yaml().load(r.body());
            assertThat(body).as(path).containsKey("error").containsEntry("status", 404);
        }
    }

    @Test
    void malformedAndOversizedRequestsAre400() throws Exception {
        for (String path : List.of(
                "api/jobs/bad%20id",
                "api/jobs?limit=abc",
                "api/jobs?limit=0",
                "api/jobs/" + jobId + "?tasks=-1",
                "api/jobs/" + "a".repeat(5000))) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            Map<String, Object> error = new Yaml().load(r.body());
            assertThat(error).as(path).containsKey("error");
        }
        HttpResponse<String> withBody = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "api/jobs"))
                        .method("GET", HttpRequest.BodyPublishers.ofString("x".repeat(10_000)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(withBody.statusCode()).isEqualTo(400);
        HttpResponse<String> post = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "api/jobs"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void theDashboardIsServedFromTheJar() throws Exception {
        for (String path : List.of("", "jobs", "jobs/" + jobId)) {
            HttpResponse<String> page = get(path);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/static/app.js\">");
        }
        assertThat(get("static/app.js").body()).contains("/api/jobs");
        assertThat(get("static/style.css").statusCode()).isEqualTo(200);
    }

    @Test
    void everyNodeServesPrometheusMetrics() throws Exception {
        List<String> nodes = cluster.httpEndpoints();
        assertThat(nodes).hasSize(3);
        for (String node : nodes) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://" + node + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(r.body()).contains("jvm_memory_used_bytes{").contains("cairn_node_info{");
        }
        String master = get("metrics").body();
        assertThat(master).containsPattern("cairn_batch_jobs\\{state=\"succeeded\"} 1(\\.0)?\\n");
        assertThat(master).containsPattern("cairn_batch_workers\\{state=\"alive\"} 2(\\.0)?\\n");
        assertThat(master).containsPattern("cairn_batch_tasks\\{state=\"done\"} [1-9]");
        assertThat(master).contains("cairn_stream_checkpoints_total{outcome=\"completed\"}");
        assertThat(master)
                .containsPattern(
                        "cairn_rpc_server_seconds_count\\{method=\"Heartbeat\",service=\"JobMaster\",status=\"ok\"} [1-9]");
    }

    @Test
    void aStandbyMasterRedirectsToTheActiveOne() throws Exception {
        Config standbyConfig = Config.defaults(NodeConfig.DEF)
                .with(NodeConfig.NODE_ID, "standby")
                .with(NodeConfig.NODE_ROLES, List.of("master"))
                .with(NodeConfig.NODE_PORT, 0)
                .with(NodeConfig.MASTER_HTTP_PORT, 0)
                .with(CoordConfig.MEMBERS, List.of())
                .with(NodeConfig.COORD_CONNECT, cluster.coordConnect())
                .with(NodeConfig.NODE_DIR, dir.resolve("standby").toString());
        try (CairnNode standby = CairnNode.start(standbyConfig, Clock.system())) {
            String url = standby.dashboardUrl().orElseThrow();
            HttpResponse<String> r = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url + "api/jobs?limit=5"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()),
                            resp -> resp.statusCode() == 307);
            assertThat(r.headers().firstValue("Location")).hasValue(base + "api/jobs?limit=5");
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode())
                    .as("a standby serves its own metrics")
                    .isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
