package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.BatchMaster;
import dev.cairn.batch.JobSpec;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.config.Config;
import dev.cairn.common.fs.FileSystemRegistry;
import dev.cairn.common.security.Admins;
import dev.cairn.common.security.JobAccess;
import dev.cairn.common.security.TransportSecurity;
import dev.cairn.common.testing.TestPki;
import dev.cairn.common.time.Clock;
import dev.cairn.node.internal.ops.NodeMetrics;
import dev.cairn.node.internal.ops.OpsServer;
import dev.cairn.node.internal.ops.OpsSources;
import dev.cairn.rpc.RpcServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's REST API over HTTPS with real certificates: a job's answers are for its owner and
 * admins, anyone else gets 403 naming the job and the right, {@code /api/jobs} lists a user's own
 * jobs, and a worker's attempt logs are handed to nodes only. The master has no workers: its job
 * stays running with pending tasks.
 */
class JobOwnershipHttpsTest {
    @TempDir
    Path dir;

    @Test
    void aJobsAnswersAreForItsOwnerAndAdmins() throws Exception {
        TestPki pki = TestPki.under(dir.resolve("pki"));
        TransportSecurity node = pki.node("n1");
        Config config = Config.defaults(NodeConfig.DEF);
        try (BatchMaster master = BatchMaster.create(
                        BatchMaster.Settings.from(config, dir.resolve("master")),
                        FileSystemRegistry.local(),
                        Optional::empty,
                        Clock.system(),
                        new JobAccess(Admins.of(Set.of("root"))));
                RpcServer rpc = RpcServer.start("127.0.0.1", 0, master.services(), node)) {
            master.activate();
            String id;
            try (BatchClient alice = BatchClient.connect(rpc.endpoint(), pki.user("alice"))) {
                id = alice.submit(spec(), jar(), "owned.jar").jobId();
            }
            try (OpsServer ops = OpsServer.start(
                    "127.0.0.1",
                    0,
                    new OpsSources(
                            "n1",
                            List.of("master"),
                            rpc.endpoint(),
                            master,
                            null,
                            List::of,
                            null,
                            null,
                            null,
                            dir,
                            null),
                    Clock.system(),
                    new NodeMetrics("n1", List.of("master")),
                    node)) {
                String api = ops.url() + "api/jobs";
                for (String path :
                        List.of("/" + id, "/" + id + "/tasks", "/" + id + "/tasks/map-00000/attempts/1/log")) {
                    HttpResponse<String> bobs = get(pki.user("bob"), api + path);
                    assertThat(bobs.statusCode()).as(path).isEqualTo(403);
                    assertThat(bobs.body())
                            .as(path)
                            .contains("\"error\":\"permission denied: user bob may not view job " + id + "\"");
                }
                assertThat(get(pki.user("bob"), api).body()).isEqualTo("[]");
                assertThat(get(pki.user("bob"), api).headers().firstValue("X-Total-Count"))
                        .hasValue("0");

                for (TransportSecurity allowed : List.of(pki.user("alice"), pki.user("root"), pki.node("n2"))) {
                    HttpResponse<String> job = get(allowed, api + "/" + id);
                    assertThat(job.statusCode()).isEqualTo(200);
                    assertThat(job.body()).contains("\"owner\":\"alice\"").contains("\"state\":\"RUNNING\"");
                    assertThat(get(allowed, api + "/" + id + "/tasks").statusCode())
                            .isEqualTo(200);
                    assertThat(get(allowed, api).body())
                            .contains("\"id\":\"" + id + "\"")
                            .contains("\"owner\":\"alice\"");
                }

                HttpResponse<String> workerLog =
                        get(pki.user("alice"), ops.url() + "attempt-log?job=" + id + "&task=map-00000&attempt=1");
                assertThat(workerLog.statusCode()).isEqualTo(403);
                assertThat(workerLog.body()).contains("permission denied: user alice may not view job " + id);
            }
        }
    }

    private JobSpec spec() throws IOException {
        Path input = dir.resolve("input.txt");
        Files.writeString(input, "a b c\n");
        return JobSpec.builder("owned")
                .input(input.toString())
                .output(dir.resolve("out").toString())
                .mapper(dev.cairn.batch.Mapper.class)
                .reducer(dev.cairn.batch.Reducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .build();
    }

    private static byte[] jar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("dev/cairn/batch/Mapper.class"));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static HttpResponse<String> get(TransportSecurity client, String url)
            throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder()
                .sslContext(((TransportSecurity.MutualTls) client).context())
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
