package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium (the Debian packages {@code chromium} and
 * {@code chromium-driver}, which {@code .ci/run} installs) driven by Selenium against a
 * {@code cluster up --nodes 2} cluster running a word count, then another while a worker is
 * killed with SIGKILL. The test finds the browser and its
 * driver on its own ({@code -Dcairn.chromium=PATH}, {@code -Dcairn.chromedriver=PATH} override)
 * and fails when they are missing: it is skipped only with {@code -Dcairn.browser=off}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static Path dir;
    private static Path cluster;
    private static ChromeDriver browser;
    private static Path corpus;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeFalse(
                "off".equals(System.getProperty("cairn.browser")), "browser tests turned off (-Dcairn.browser=off)");
        Path chromium = find("cairn.chromium", "chromium", "chromium-browser", "google-chrome", "chrome");
        Path driver = find("cairn.chromedriver", "chromedriver");
        dir = Files.createTempDirectory("cairn-dashboard-it");
        cluster = dir.resolve("cluster");
        Cli.ok(
                Duration.ofMinutes(2),
                "cluster",
                "up",
                "--nodes",
                "2",
                "--slots",
                "1",
                "--dir",
                cluster.toString(),
                "--jvm-opts",
                "-Xmx384m",
                "-Dmaster.split-size=2m",
                "-Dmaster.worker-timeout=3s",
                "-Dworker.heartbeat-interval=300ms");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void down() throws Exception {
        if (browser != null) browser.quit();
        if (dir != null) Cli.clusterDown(cluster, dir);
    }

    @Test
    @Order(1)
    void showsAJobAppearAdvanceAndItsStagesAndTasks() throws Exception {
        Map<String, Object> file = Cli.clusterFile(cluster);
        String dashboard = (String) file.get("dashboard");
        assertThat(dashboard).as("cluster.json names the dashboard").startsWith("http://");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) file.get("nodes");
        assertThat(nodes).allSatisfy(n -> assertThat((String) n.get("metrics")).endsWith("/metrics"));

        browser.get(dashboard);
        // The page redraws as it polls: an element found a moment ago may be gone; look again.
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        wait.until(d -> d.findElements(By.cssSelector("#nodes tbody tr")).stream()
                        .filter(r ->
                                r.getText().contains("worker-") && r.getText().contains("ALIVE"))
                        .count()
                == 2);
        assertThat(browser.findElement(By.id("nodes")).getText()).contains("master", "worker-1", "worker-2");

        corpus = Corpus.generate(dir.resolve("corpus.txt"), 48L << 20, 21);
        Cli.Result submitted = Cli.ok(
                Duration.ofMinutes(2),
                "submit",
                "--dir",
                cluster.toString(),
                "--detach",
                "--example",
                "wordcount",
                corpus.toString(),
                dir.resolve("counts").toString());
        String jobId = submitted.stdout().split("\\s+")[1];
        assertThat(jobId).startsWith("job-");

        // The overview polls /api/jobs: the job appears, and its progress advances.
        By row = By.cssSelector("#jobs tr[data-job='" + jobId + "']");
        wait.until(d -> !d.findElements(row).isEmpty());
        List<Double> seen = new ArrayList<>();
        wait.until(d -> {
            Optional<Double> p = progressOf(d.findElements(row));
            p.ifPresent(v -> {
                if (seen.isEmpty() || seen.getLast() != v.doubleValue()) seen.add(v);
            });
            return seen.size() >= 2 && seen.getLast() > seen.getFirst();
        });
        assertThat(seen).as("progress seen on the overview").isSorted();

        // Its page: the job id, its stages and its tasks, each on a worker.
        wait.until(d -> {
            d.findElement(By.cssSelector("#jobs tr[data-job='" + jobId + "'] a"))
                    .click();
            return true;
        });
        wait.until(d -> !d.findElements(By.id("job-id")).isEmpty());
        assertThat(browser.getCurrentUrl()).endsWith("/jobs/" + jobId);
        assertThat(browser.findElement(By.id("job-id")).getText()).isEqualTo(jobId);
        assertThat(browser.findElement(By.tagName("body")).getText()).contains(jobId);
        wait.until(d -> d.findElements(By.cssSelector("#stages tbody tr")).size() == 2);
        assertThat(browser.findElement(By.id("stages")).getText()).contains("map", "reduce");
        // The DAG: a box per stage and an edge from map to reduce; the throughput chart once sampled.
        assertThat(browser.findElements(By.cssSelector("svg#dag g.dag-node"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("svg#dag path.edge"))).hasSize(1);
        assertThat(browser.findElement(By.id("dag")).getText()).contains("map", "reduce");
        wait.until(d ->
                !d.findElements(By.cssSelector("#chart-records svg path.line")).isEmpty());
        wait.until(d -> d.findElement(By.id("tasks")).getText().contains("worker-"));
        wait.until(d -> d.findElement(By.id("job-state")).getText().equals("SUCCEEDED"));
        wait.until(d -> d.findElements(By.cssSelector("#tasks tbody tr")).size() > 20
                && d.findElement(By.id("tasks")).getText().contains("reduce-")
                && d.findElement(By.id("job-progress")).getText().contains("100.0%"));
        // The task table pages on the server: the next page starts where the first ended.
        String firstTask =
                browser.findElement(By.cssSelector("#tasks tbody tr td")).getText();
        Path shot = Path.of("target", "dashboard-job.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        List<WebElement> next = browser.findElements(By.cssSelector("#tasks-pager button[data-page='1']"));
        if (!next.isEmpty()) {
            next.getFirst().click();
            wait.until(d -> !d.findElement(By.cssSelector("#tasks tbody tr td"))
                    .getText()
                    .equals(firstTask));
            assertThat(browser.findElement(By.id("tasks-pager")).getText()).contains("page 2 of");
        }
        // Sorting is the server's: a click on a header sorts by it, a second click longest first.
        By duration = By.cssSelector("#tasks th[data-sort='duration']");
        wait.until(d -> {
            d.findElement(duration).click();
            return true;
        });
        wait.until(d -> d.findElement(duration).getText().endsWith("▲"));
        wait.until(d -> {
            d.findElement(duration).click();
            return true;
        });
        wait.until(d -> d.findElement(duration).getText().endsWith("▼"));

        // A node's page shows its log's tail: the node logged its start.
        browser.get(dashboard + "nodes/worker-1");
        wait.until(d -> !d.findElements(By.id("log")).isEmpty()
                && d.findElement(By.id("log")).getText().contains("worker-1"));
        assertThat(browser.findElement(By.id("node-id")).getText()).isEqualTo("worker-1");
        // The store: two store nodes and the job's input nowhere missing.
        browser.get(dashboard + "store");
        wait.until(d -> d.findElements(By.cssSelector("#store-nodes tbody tr")).size() == 2);
        assertThat(browser.findElement(By.id("store-summary")).getText()).contains("missing blocks");
        // Coord: one member per coord node of the cluster, one of them the leader.
        browser.get(dashboard + "coord");
        wait.until(
                d -> !d.findElements(By.cssSelector("#coord-members tbody tr")).isEmpty()
                        && !d.findElement(By.id("coord-leader")).getText().equals("none known"));
        assertThat(browser.findElement(By.id("coord-members")).getText()).contains("leader");

        assertNoConsoleErrors();
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void aWorkerKilledTurnsDeadAndItsTasksAreRetried() throws Exception {
        Assumptions.assumeTrue(corpus != null, "the first test ran");
        String jobId = Cli.ok(
                        Duration.ofMinutes(2),
                        "submit",
                        "--dir",
                        cluster.toString(),
                        "--detach",
                        // A speculative copy could win before the kill and leave the killed attempt uncounted.
                        "--speculation",
                        "off",
                        "--example",
                        "wordcount",
                        corpus.toString(),
                        dir.resolve("counts-2").toString())
                .stdout()
                .split("\\s+")[1];
        String dashboard = (String) Cli.clusterFile(cluster).get("dashboard");
        browser.get(dashboard + "jobs/" + jobId);
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
        wait.ignoring(StaleElementReferenceException.class);
        // Once worker-2 runs one of its tasks, kill it with SIGKILL.
        wait.until(d -> d.findElements(By.cssSelector("#tasks tbody tr")).stream()
                .anyMatch(r -> r.getText().contains("RUNNING") && r.getText().contains("worker-2")));
        long pid = ((List<Map<String, Object>>) Cli.clusterFile(cluster).get("nodes"))
                .stream()
                        .filter(n -> n.get("id").equals("worker-2"))
                        .map(n -> ((Number) n.get("pid")).longValue())
                        .findFirst()
                        .orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        // The job page shows failed and retried attempts, then the job done all the same.
        wait.until(d -> stageCell(d.findElements(By.cssSelector("#stages tbody tr")), 6) > 0);
        wait.until(d -> d.findElement(By.id("job-state")).getText().equals("SUCCEEDED"));
        assertThat(stageCell(browser.findElements(By.cssSelector("#stages tbody tr")), 5))
                .as("failed attempts of the map stage")
                .isPositive();
        // The overview shows the worker dead.
        browser.get(dashboard);
        wait.until(d -> d.findElements(By.cssSelector("#nodes tbody tr")).stream()
                .anyMatch(r -> r.getText().contains("worker-2") && r.getText().contains("DEAD")));
        assertNoConsoleErrors();
    }

    /** A number of the stages table's map row: 5 failed attempts, 6 retried tasks. */
    private static int stageCell(List<WebElement> rows, int column) {
        if (rows.isEmpty()) return 0;
        List<WebElement> cells = rows.getFirst().findElements(By.tagName("td"));
        return Integer.parseInt(cells.get(column).getText().trim());
    }

    private static void assertNoConsoleErrors() {
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
        assertThat(errors).as("errors in the browser console").isEmpty();
    }

    /** The progress (percent) the row shows, if the row is there. */
    private static Optional<Double> progressOf(List<WebElement> rows) {
        if (rows.isEmpty()) return Optional.empty();
        String text =
                rows.getFirst().findElement(By.cssSelector(".pct")).getText().trim();
        if (!text.endsWith("%")) return Optional.empty();
        return Optional.of(Double.parseDouble(text.substring(0, text.length() - 1)));
    }

    /** An executable from a system property, else the first of {@code names} on the PATH or in the usual places. */
    private static Path find(String property, String... names) {
        String given = System.getProperty(property);
        if (given != null) {
            Path p = Path.of(given);
            if (!Files.isExecutable(p)) fail("-D" + property + "=" + given + " is not an executable file");
            return p;
        }
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1))
            if (!d.isEmpty()) dirs.add(Path.of(d));
        dirs.addAll(Stream.of("/usr/bin", "/usr/local/bin", "/usr/lib/chromium", "/snap/bin")
                .map(Path::of)
                .toList());
        for (String name : names) {
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
        }
        return fail("cannot find " + String.join(" or ", names)
                + ": install the Debian packages chromium and chromium-driver (.ci/run does), point -D" + property
                + " at it, or turn the browser tests off with -Dcairn.browser=off");
    }
}
