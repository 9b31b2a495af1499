package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.io.FileTrees;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Cairn on its own coord: {@code cluster up --masters 2} runs two masters that stand for election;
 * workers register as ephemeral znodes. The active master is killed with SIGKILL while a job
 * runs: the standby takes over, the workers follow it, and {@code submit --dir} runs the job again
 * from the start and gets the exact output.
 */
class MasterFailoverIT {
    private static Path dir;
    private static Path corpus;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-failover-it");
        corpus = Corpus.generate(dir.resolve("corpus.txt"), 32L << 20, 11);
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--masters",
                "2",
                "--nodes",
                "2",
                "--slots",
                "1",
                "--dir",
                dir.resolve("cluster").toString(),
                "--jvm-opts",
                "-Xmx384m",
                "-Dmaster.split-size=4m",
                "-Dmaster.worker-timeout=3s",
                "-Dworker.heartbeat-interval=300ms",
                "-Dcoord.tick=500ms",
                "-Dcoord.session-timeout=3s");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.run(
                Duration.ofMinutes(1),
                "cluster",
                "down",
                "--dir",
                dir.resolve("cluster").toString());
        FileTrees.deleteRecursively(dir);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cluster() throws Exception {
        return new Yaml().load(Files.readString(dir.resolve("cluster/cluster.json")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void standbyMasterTakesOverAndTheJobIsRunAgain() throws Exception {
        Map<String, Object> cluster = cluster();
        // Workers are registered as ephemerals in coord, by the stock client's view.
        try (CuratorFramework c = CuratorFrameworkFactory.newClient(
                (String) cluster.get("coordConnect"), 10_000, 10_000, new ExponentialBackoffRetry(100, 5))) {
            c.start();
            assertThat(c.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> c.getChildren().forPath("/cairn/workers"), w -> w.size() == 2);
            assertThat(c.getChildren().forPath("/cairn/workers")).containsExactlyInAnyOrder("worker-1", "worker-2");
        }
        Cli.Result status = Cli.ok(
                Duration.ofSeconds(30),
                "cluster",
                "status",
                "--dir",
                dir.resolve("cluster").toString());
        assertThat(status.stdout()).contains("active master").contains("standby master");
        String active = status.stdout()
                .lines()
                .filter(l -> l.contains("active master"))
                .findFirst()
                .orElseThrow()
                .split("\\s+")[0];

        // cluster.json names the active master's dashboard; the standby's redirects there.
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) cluster.get("nodes");
        String activeDashboard = dashboardOf(nodes, active);
        String standby = nodes.stream()
                .filter(n -> ((List<String>) n.get("roles")).contains("master")
                        && !n.get("id").equals(active))
                .map(n -> (String) n.get("id"))
                .findFirst()
                .orElseThrow();
        String standbyDashboard = dashboardOf(nodes, standby);
        assertThat(cluster.get("dashboard")).isEqualTo(activeDashboard);
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> redirect = http.send(
                HttpRequest.newBuilder(URI.create(standbyDashboard + "api/jobs"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(redirect.statusCode()).as(redirect.body()).isEqualTo(307);
        assertThat(redirect.headers().firstValue("Location")).hasValue(activeDashboard + "api/jobs");

        // Submit in the background, following fail-over; kill the active master once the job is under way.
        Path out = dir.resolve("wc");
        Cli.Background submit = Cli.start(
                "submit",
                "--dir",
                dir.resolve("cluster").toString(),
                "--example",
                "wordcount",
                corpus.toString(),
                out.toString(),
                "2");
        await().atMost(Duration.ofSeconds(60)).until(() -> submit.stdout().contains("submitted"));
        long pid = ((List<Map<String, Object>>) cluster.get("nodes"))
                .stream()
                        .filter(n -> n.get("id").equals(active))
                        .map(n -> ((Number) n.get("pid")).longValue())
                        .findFirst()
                        .orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        Cli.Result r = submit.await(Duration.ofMinutes(3));
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stderr()).contains("resubmitting the job from the beginning");
        assertThat(Corpus.outputLines(out)).isEqualTo(Corpus.expectedCounts(corpus));
        Cli.Result after = Cli.run(
                Duration.ofSeconds(30),
                "cluster",
                "status",
                "--dir",
                dir.resolve("cluster").toString());
        assertThat(after.stdout()).contains("active master").contains("DEAD");
        // The former standby now serves the dashboard itself, the resubmitted job in its list.
        HttpResponse<String> jobs = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> http.send(
                                HttpRequest.newBuilder(URI.create(standbyDashboard + "api/jobs"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()),
                        resp -> resp.statusCode() == 200);
        assertThat(jobs.body()).contains("\"state\":\"SUCCEEDED\"");
    }

    private static String dashboardOf(List<Map<String, Object>> nodes, String id) {
        return nodes.stream()
                .filter(n -> n.get("id").equals(id))
                .map(n -> "http://" + n.get("http") + "/")
                .findFirst()
                .orElseThrow();
    }
}
