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
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    void clusterShowsTheActiveMasterAndTheNodes() throws Exception {
        HttpResponse<String> r = get("api/cluster");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> c = new Yaml().load(r.body());
        assertThat(c).containsEntry("activeMaster", cluster.masterEndpoint());
        assertThat(list(c.get("masters")))
                .singleElement()
                .satisfies(m -> assertThat(m).containsEntry("state", "active").containsEntry("dashboard", base));
        // (without the standby masters other tests start and stop)
        List<Map<String, Object>> nodes = list(c.get("nodes")).stream()
                .filter(n -> !n.get("id").equals("standby") && !n.get("id").equals("extra-master"))
                .toList();
        assertThat(nodes).extracting(n -> n.get("id")).containsExactly("master", "worker-1", "worker-2");
        assertThat(nodes.subList(1, 3))
                .allSatisfy(n -> assertThat(n).containsEntry("state", "ALIVE").containsEntry("slots", 2));
        assertThat(nodes.getFirst()).containsEntry("roles", List.of("coord", "master"));
    }

    @Test
    void nodesTellTheirRolesHeapDiskAndCoordStatus() throws Exception {
        List<Map<String, Object>> nodes = list(
                        new Yaml().<List<Object>>load(get("api/nodes").body()))
                .stream()
                .filter(n -> !n.get("id").equals("standby") && !n.get("id").equals("extra-master"))
                .toList();
        assertThat(nodes).hasSize(3).allSatisfy(n -> {
            assertThat(n).containsEntry("reachable", true);
            assertThat(number(n, "heapUsed")).isPositive();
            assertThat(number(n, "heapMax")).isGreaterThanOrEqualTo(number(n, "heapUsed"));
            assertThat(number(n, "diskTotal")).isGreaterThanOrEqualTo(number(n, "diskFree"));
            assertThat(number(n, "diskFree")).isPositive();
        });
        Map<String, Object> worker = new Yaml().load(get("api/nodes/worker-2").body());
        assertThat(worker).containsEntry("id", "worker-2").containsEntry("roles", List.of("worker", "store"));
        assertThat(worker).containsEntry("state", "ALIVE").doesNotContainKey("coord");

        Map<String, Object> coord = new Yaml().load(get("api/coord").body());
        assertThat(list(coord.get("members"))).singleElement().satisfies(m -> {
            assertThat(m).containsEntry("node", "master").containsEntry("leader", true);
            assertThat(number(m, "lastZxid")).isPositive();
            // the master's and each worker's coord sessions, at least
            assertThat(number(m, "sessions")).isGreaterThanOrEqualTo(3);
            assertThat(number(m, "znodes")).isPositive();
        });
        assertThat(coord.get("leader"))
                .isEqualTo(list(coord.get("members")).getFirst().get("member"));

        for (String path : List.of("api/nodes/no-such-node", "api/nodes/no-such-node/log")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat((String) new Yaml().<Map<String, Object>>load(r.body()).get("error"))
                    .as(path)
                    .isEqualTo("no such node: no-such-node");
        }
        assertThat(get("api/nodes/bad%20id").statusCode()).isEqualTo(400);
        assertThat(get("api/nodes/worker-1/log?lines=10001").statusCode()).isEqualTo(400);
        HttpResponse<String> noLog = get("api/nodes/worker-1/log");
        assertThat(noLog.statusCode()).as(noLog.body()).isEqualTo(404);
        assertThat(noLog.body()).contains("node.log-file is not set");
    }

    @Test
    void theStoreShowsCapacityUseAndBlockHealth() throws Exception {
        HttpResponse<String> r = get("api/store");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> store = new Yaml().load(r.body());
        assertThat(list(store.get("nodes")))
                .extracting(n -> n.get("id"))
                .containsExactlyInAnyOrder("worker-1", "worker-2");
        assertThat(number(store, "capacityBytes")).isPositive().isGreaterThanOrEqualTo(number(store, "usedBytes"));
        assertThat(store)
                .containsEntry("liveNodes", 2)
                .containsEntry("underReplicated", 0)
                .containsEntry("corruptReplicas", 0)
                .containsEntry("missing", 0)
                .containsEntry("healthy", true);
    }

    @Test
    void aNodesLogTailIsReadThroughTheMaster() throws Exception {
        Path log = dir.resolve("extra-master.log");
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 500; i++) lines.append("line ").append(i).append('\n');
        Files.writeString(log, lines);
        // A standby master: it publishes its HTTP server and serves its own log, and is no worker the
        // other tests would count.
        Config config = Config.defaults(NodeConfig.DEF)
                .with(NodeConfig.NODE_ID, "extra-master")
                .with(NodeConfig.NODE_ROLES, List.of("master"))
                .with(NodeConfig.NODE_PORT, 0)
                .with(NodeConfig.MASTER_HTTP_PORT, 0)
                .with(NodeConfig.NODE_LOG_FILE, log.toString())
                .with(CoordConfig.MEMBERS, List.of())
                .with(NodeConfig.COORD_CONNECT, cluster.coordConnect())
                .with(NodeConfig.NODE_DIR, dir.resolve("extra-master").toString());
        try (CairnNode extra = CairnNode.start(config, Clock.system())) {
            HttpResponse<String> r = await().atMost(Duration.ofSeconds(20))
                    .until(() -> get("api/nodes/extra-master/log?lines=3"), resp -> resp.statusCode() == 200);
            Map<String, Object> tail = new Yaml().load(r.body());
            assertThat(tail).containsEntry("node", "extra-master").containsEntry("file", log.toString());
            assertThat(tail.get("lines")).isEqualTo(List.of("line 498", "line 499", "line 500"));
            Map<String, Object> whole =
                    new Yaml().load(get("api/nodes/extra-master/log").body());
            assertThat((List<?>) whole.get("lines")).hasSize(200);
        }
    }

    @Test
    void aStalledClientHoldsNoOneUp() throws Exception {
        URI uri = URI.create(base);
        List<Socket> stalled = new ArrayList<>();
        try {
            // Half a request each, then nothing: headers never end.
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket(uri.getHost(), uri.getPort());
                s.getOutputStream()
                        .write("GET /api/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            long start = System.nanoTime();
            assertThat(get("api/jobs").statusCode()).isEqualTo(200);
            assertThat(get("api/jobs/" + jobId).statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            // The server gives up on them: their connections close (read sees the end) within its request timeout.
            for (Socket s : stalled) {
                s.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
                long t0 = System.nanoTime();
                int read;
                try {
                    read = s.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read)
                        .as("a stalled request gets no answer but a closed connection")
                        .isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
            }
        } finally {
            for (Socket s : stalled) s.close();
        }
    }

    @Test
    void tasksCarryDurationInputAndLocalityAndStagesTheirParents() throws Exception {
        Map<String, Object> job = new Yaml().load(get("api/jobs/" + jobId).body());
        List<Map<String, Object>> stages = list(job.get("stages"));
        assertThat(stages.get(0)).containsEntry("parents", List.of());
        assertThat(stages.get(1)).containsEntry("parents", List.of("map"));
        List<Map<String, Object>> tasks = list(job.get("tasks"));
        assertThat(tasks).allSatisfy(t -> {
            assertThat(number(t, "durationMs")).isNotNegative();
            // a local file has no block locations: no locality to speak of
            assertThat(t).containsEntry("locality", "none");
        });
        long mapInput = tasks.stream()
                .filter(t -> t.get("stage").equals("map"))
                .mapToLong(t -> number(t, "inputBytes"))
                .sum();
        assertThat(mapInput).isEqualTo(number(job, "inputBytes")).isPositive();
        assertThat(job).containsEntry("failures", List.of()).containsEntry("failedTasks", 0);
    }

    @Test
    void anAttemptsLogIsReadFromItsWorker() throws Exception {
        HttpResponse<String> r = get("api/jobs/" + jobId + "/tasks/map-00000/attempts/1/log");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> log = new Yaml().load(r.body());
        assertThat((String) log.get("node")).startsWith("worker-");
        assertThat(log).containsEntry("task", "map-00000").containsEntry("attempt", 1);
        assertThat((List<?>) log.get("lines")).last().isEqualTo("attempt " + jobId + "/map-00000_1 succeeded");

        HttpResponse<String> none = get("api/jobs/" + jobId + "/tasks/map-00000/attempts/7/log");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("no live worker keeps a log of attempt 7 of map-00000");
        assertThat(get("api/jobs/job-9999/tasks/map-00000/attempts/1/log").statusCode())
                .isEqualTo(404);
        assertThat(get("api/jobs/" + jobId + "/tasks/map-00000/attempts/x/log").statusCode())
                .isEqualTo(400);
        assertThat(get("api/jobs/" + jobId + "/tasks/map-00000/attempts/0/log").statusCode())
                .isEqualTo(400);
    }

    @Test
    void tasksArePagedSortedAndFilteredOnTheServer() throws Exception {
        Map<String, Object> all =
                new Yaml().load(get("api/jobs/" + jobId + "/tasks").body());
        int total = ((Number) all.get("total")).intValue();
        assertThat(list(all.get("tasks"))).hasSize(total);
        HttpResponse<String> r = get("api/jobs/" + jobId + "/tasks?limit=2&offset=1&sort=duration&desc=true");
        assertThat(r.headers().firstValue("X-Total-Count")).hasValue(Integer.toString(total));
        List<Map<String, Object>> page =
                list(new Yaml().<Map<String, Object>>load(r.body()).get("tasks"));
        List<Long> durations = list(all.get("tasks")).stream()
                .map(t -> number(t, "durationMs"))
                .sorted(java.util.Comparator.reverseOrder())
                .toList();
        assertThat(page).extracting(t -> number(t, "durationMs")).containsExactlyElementsOf(durations.subList(1, 3));
        Map<String, Object> reduces = new Yaml()
                .load(get("api/jobs/" + jobId + "/tasks?state=succeeded&sort=stage&desc=true&limit=1")
                        .body());
        assertThat(list(reduces.get("tasks")))
                .singleElement()
                .satisfies(t -> assertThat(t).containsEntry("stage", "reduce"));
        assertThat(((Number) reduces.get("total")).intValue()).isEqualTo(total);
        Map<String, Object> none = new Yaml()
                .load(get("api/jobs/" + jobId + "/tasks?state=RUNNING").body());
        assertThat(none).containsEntry("total", 0).containsEntry("tasks", List.of());

        HttpResponse<String> badSort = get("api/jobs/" + jobId + "/tasks?sort=colour");
        assertThat(badSort.statusCode()).isEqualTo(400);
        assertThat(badSort.body()).contains("sort must be one of");
        assertThat(get("api/jobs/" + jobId + "/tasks?desc=maybe").statusCode()).isEqualTo(400);
        assertThat(get("api/jobs/" + jobId + "/tasks?limit=10001").statusCode()).isEqualTo(400);
        assertThat(get("api/jobs/job-9999/tasks").statusCode()).isEqualTo(404);
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
        for (String path : List.of(
                "",
                "jobs",
                "jobs/" + jobId,
                "jobs/" + jobId + "/tasks/map-00000/attempts/1",
                "nodes",
                "nodes/worker-1",
                "store",
                "coord")) {
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

    private static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
