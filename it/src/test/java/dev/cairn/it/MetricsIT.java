package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every node of a {@code cluster up --nodes 2} cluster serves well-formed Prometheus text at the
 * {@code metrics} URL {@code cluster.json} gives it, and its series move as work runs: scraped
 * before and after a corpus is put into the store, a word count reads it from {@code cairn://}
 * and writes its counts there, and a checkpointed stream job (Nexmark Q7) runs over
 * {@code cairn://} input — the coord's request counters, the RPC latency histograms, the store's
 * bytes read and written, shuffle and spill bytes, task attempts, stream records and checkpoints
 * all rose. Scrapes are parsed by {@link PromText}, which refuses anything malformed.
 */
class MetricsIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);
    private static final int EVENTS = 60_000;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static Path dir;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-metrics-it");
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--slots",
                "2",
                "--dir",
                cluster().toString(),
                "--jvm-opts",
                "-Xmx384m",
                "-Dworker.heartbeat-interval=300ms",
                // The scrubber passes again soon after the corpus lands, not six hours later.
                "-Dstore.scrub-interval=500ms");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.clusterDown(cluster(), dir);
    }

    private static Path cluster() {
        return dir.resolve("cluster");
    }

    @Test
    void everyNodeServesWellFormedMetricsThatMoveAsABatchAndAStreamJobRun() throws Exception {
        List<String> urls = metricsUrls();
        assertThat(urls).as("master and two workers").hasSize(3);
        List<Map<String, PromText.Family>> before = scrapeAll(urls);
        before.forEach(MetricsIT::assertWellFormed);

        Path corpus = Corpus.generate(dir.resolve("corpus.txt"), 12L << 20, 17);
        Cli.fsOk(cluster(), "put", "--block-size", "2m", corpus.toString(), "/in/corpus.txt");
        Cli.Result wc = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                cluster().toString(),
                "--example",
                "wordcount",
                "cairn:///in/corpus.txt",
                "cairn:///out/wc",
                "2");
        assertThat(wc.stdout()).contains("succeeded");

        Path events = dir.resolve("events.csv");
        Nexmark.generate(EVENTS, 31, events, dir.resolve("answers"));
        Cli.fsOk(cluster(), "put", events.toString(), "/in/events.csv");
        Cli.Result submitted = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                cluster().toString(),
                "--parallelism",
                "2",
                "--checkpoint-interval",
                "300ms",
                // A few seconds of input, so checkpoints complete while it runs.
                "--max-rate",
                String.valueOf(EVENTS / 4),
                "--detach",
                "--example",
                "nexmark-q7",
                "cairn:///in/events.csv",
                "cairn:///out/q7");
        Matcher m = Pattern.compile("(stream-\\d+)").matcher(submitted.stdout());
        assertThat(m.find()).as(submitted.stdout()).isTrue();
        String end = await().atMost(JOB_TIMEOUT)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> streamStatus(m.group(1)), s -> s.contains("FINISHED") || s.contains("FAILED"));
        assertThat(end).contains("FINISHED");

        // The scrubber's next pass over the new blocks, at its default 8 MiB/s.
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> PromText.sum(scrapeAll(urls), "cairn_store_scrubbed_bytes_total")
                        > PromText.sum(before, "cairn_store_scrubbed_bytes_total") + (12L << 20));

        List<Map<String, PromText.Family>> after = scrapeAll(urls);
        after.forEach(MetricsIT::assertWellFormed);
        for (String sample : List.of(
                "cairn_coord_requests_total",
                "cairn_rpc_server_seconds_count",
                "cairn_store_written_bytes_total",
                "cairn_store_read_bytes_total",
                "cairn_batch_shuffle_served_bytes_total",
                "cairn_batch_spilled_bytes_total",
                "cairn_stream_records_in_total",
                "cairn_stream_checkpoint_seconds_count"))
            System.out.printf("MetricsIT: %s rose by %.0f%n", sample, rise(before, after, sample));
        assertRose(before, after, "cairn_coord_requests_total", "type=create");
        assertRose(before, after, "cairn_coord_requests_total", "type=getData");
        assertRose(before, after, "cairn_coord_request_seconds_count", "type=create");
        assertRose(before, after, "cairn_coord_last_zxid");
        assertThat(PromText.sum(after, "cairn_coord_leader"))
                .as("one coord leader")
                .isEqualTo(1);
        assertThat(PromText.sum(after, "cairn_coord_log_flush_seconds_count")).isPositive();
        assertThat(PromText.sum(after, "cairn_coord_sessions")).isPositive();

        assertRose(before, after, "cairn_rpc_server_seconds_count", "service=JobMaster", "method=Heartbeat");
        assertRose(before, after, "cairn_rpc_server_seconds_count", "service=Shuffle", "status=ok");
        assertThat(PromText.sum(after, "cairn_rpc_server_seconds_bucket", "le=+Inf"))
                .as("every call is in the +Inf bucket")
                .isEqualTo(PromText.sum(after, "cairn_rpc_server_seconds_count"));

        double written = rise(before, after, "cairn_store_written_bytes_total");
        assertThat(written).as("the corpus, the counts and the events stored").isGreaterThanOrEqualTo(12 << 20);
        assertThat(rise(before, after, "cairn_store_read_bytes_total"))
                .as("the corpus read by the maps")
                .isGreaterThanOrEqualTo(12 << 20);
        assertRose(before, after, "cairn_store_blocks");
        assertRose(before, after, "cairn_store_scrubbed_blocks_total");

        assertRose(before, after, "cairn_batch_task_attempts_total", "outcome=succeeded");
        assertRose(before, after, "cairn_batch_shuffle_served_bytes_total");
        assertRose(before, after, "cairn_batch_shuffle_fetched_bytes_total");
        assertRose(before, after, "cairn_batch_spilled_bytes_total");
        assertThat(rise(before, after, "cairn_batch_spills_total"))
                .as("a run at least per map, one map per 2 MiB block")
                .isGreaterThanOrEqualTo(6);

        assertRose(before, after, "cairn_stream_records_in_total");
        assertRose(before, after, "cairn_stream_records_out_total");
        assertRose(before, after, "cairn_stream_checkpoints_total", "outcome=completed");
        assertRose(before, after, "cairn_stream_checkpoint_seconds_count");
        assertRose(before, after, "cairn_stream_checkpoint_size_bytes_sum");
        assertThat(PromText.sum(after, "cairn_stream_backpressure_seconds_total"))
                .isGreaterThanOrEqualTo(0);
    }

    /** Every family typed and described, named as the format allows, counters ending in _total. */
    private static void assertWellFormed(Map<String, PromText.Family> scrape) {
        assertThat(scrape).containsKey("cairn_node_info");
        assertThat(scrape.keySet()).anySatisfy(n -> assertThat(n).startsWith("jvm_"));
        for (PromText.Family f : scrape.values()) {
            assertThat(f.help()).as("HELP of %s", f.name()).isNotBlank();
            assertThat(f.name()).matches(PromText.METRIC_NAME);
            if (f.type().equals("counter"))
                assertThat(f.name()).as("a counter's name").endsWith("_total");
            for (PromText.Sample s : f.samples()) {
                assertThat(s.name()).matches(PromText.METRIC_NAME);
                if (f.type().equals("counter")) assertThat(s.name()).endsWith("_total");
                if (f.name().startsWith("cairn_")) {
                    assertThat(s.labels().keySet())
                            .as("no unbounded ids as labels on %s", s)
                            .doesNotContain("task", "task_id", "block", "block_id", "attempt");
                }
            }
        }
    }

    private static void assertRose(
            List<Map<String, PromText.Family>> before,
            List<Map<String, PromText.Family>> after,
            String sample,
            String... labels) {
        assertThat(rise(before, after, sample, labels))
                .as("%s%s rose", sample, List.of(labels))
                .isPositive();
    }

    private static double rise(
            List<Map<String, PromText.Family>> before,
            List<Map<String, PromText.Family>> after,
            String sample,
            String... labels) {
        return PromText.sum(after, sample, labels) - PromText.sum(before, sample, labels);
    }

    @SuppressWarnings("unchecked")
    private static List<String> metricsUrls() throws IOException {
        List<String> urls = new ArrayList<>();
        for (Map<String, Object> n :
                (List<Map<String, Object>>) ClusterJson.read(cluster()).get("nodes"))
            urls.add((String) n.get("metrics"));
        return urls;
    }

    private static List<Map<String, PromText.Family>> scrapeAll(List<String> urls) throws Exception {
        List<Map<String, PromText.Family>> out = new ArrayList<>();
        for (String url : urls) {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            out.add(PromText.parse(r.body()));
        }
        return out;
    }

    private static String streamStatus(String id) throws Exception {
        return Cli.run(
                        Duration.ofSeconds(30),
                        "job",
                        "status",
                        "--dir",
                        cluster().toString(),
                        id)
                .stdout();
    }
}
