package dev.cairn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cairn.common.io.FileTrees;
import dev.cairn.common.security.TlsMaterial;
import dev.cairn.common.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code cluster up --secure --nodes 2}: every port speaks only mutual TLS. Commands given the
 * cluster's {@code --dir} act as its admin (or {@code --as} a user) and work; without a
 * certificate, or with one of another CA, they fail in one line; and a plain socket that sends
 * each port's own plain-text request gets no plain-text answer from any port in cluster.json; a
 * job belongs to the user who submitted it; and a token made by {@code security token create}
 * authenticates job commands and the dashboard without a certificate until {@code security token
 * revoke}; a job reads and writes the store only as its owner may, and its output is theirs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureClusterIT {
    private static final Duration CMD = Duration.ofMinutes(2);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private static Path dir;
    private static Path work;
    private static Path corpus;
    private static Path counts;
    private static String master;
    private static String coordConnect;

    @BeforeAll
    static void up() throws Exception {
        dir = Files.createTempDirectory("cairn-secure-it");
        work = Files.createTempDirectory("cairn-secure-it-work");
        corpus = work.resolve("corpus.txt");
        counts = work.resolve("counts.tsv");
        Corpus.genText(corpus, counts, "2m", 5);
        Cli.Result up = Cli.ok(
                CMD,
                "cluster",
                "up",
                "--secure",
                "--nodes",
                "2",
                "--slots",
                "1",
                "--dir",
                dir.toString(),
                "--jvm-opts",
                "-Xmx384m",
                "-Dworker.heartbeat-interval=300ms");
        assertThat(up.stdout()).contains("dashboard: https://").contains("secure: mutual TLS on every port");
        Map<String, Object> cluster = Cli.clusterFile(dir);
        master = (String) cluster.get("master");
        coordConnect = (String) cluster.get("coordConnect");
    }

    @AfterAll
    static void down() throws Exception {
        if (dir == null) return;
        Cli.clusterDown(dir, work);
    }

    @Test
    @Order(1)
    void theClusterFileNamesTheMaterialsDirectoryAndNoKey() throws Exception {
        String json = Files.readString(dir.resolve("cluster.json"));
        assertThat(json).contains("\"security\": \"" + dir.resolve("security") + "\"");
        assertThat(json).doesNotContain("PRIVATE KEY").doesNotContain("CERTIFICATE");
        assertThat(Files.getPosixFilePermissions(dir.resolve("security/ca-key.pem"))
                        .toString())
                .isEqualTo("[OWNER_READ, OWNER_WRITE]");
        // Running init again keeps the CA the nodes trust.
        byte[] ca = Files.readAllBytes(dir.resolve("security/ca.pem"));
        assertThat(Cli.ok(CMD, "security", "init", "--dir", dir.toString()).stdout())
                .contains("kept the existing CA");
        assertThat(Files.readAllBytes(dir.resolve("security/ca.pem"))).isEqualTo(ca);
    }

    @Test
    @Order(6)
    void theDashboardServesHoldersOfACertificateAndReachesEveryNodeOverHttps() throws Exception {
        String dashboard = (String) Cli.clusterFile(dir).get("dashboard");
        assertThat(dashboard).startsWith("https://");
        TlsMaterial admin = TlsMaterial.load(
                dir.resolve("security/users/admin.pem"), dir.resolve("security/ca.pem"), Duration.ZERO, Clock.system());
        HttpClient client = HttpClient.newBuilder()
                .sslContext(admin.sslContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest nodes = HttpRequest.newBuilder(URI.create(dashboard + "api/nodes"))
                .timeout(Duration.ofSeconds(20))
                .build();
        HttpResponse<String> answer = client.send(nodes, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        // The master asks each node's own HTTPS server with its node certificate: none unreachable.
        assertThat(answer.body()).contains("\"reachable\":true").doesNotContain("\"reachable\":false");

        SSLContext noCertificate = SSLContext.getInstance("TLS");
        noCertificate.init(null, new TrustManager[] {admin.trustManager()}, null);
        HttpClient anonymous = HttpClient.newBuilder()
                .sslContext(noCertificate)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        // The HTTPS port wants a certificate but takes a token instead: with neither, a 401 and the reason.
        HttpResponse<String> refused = anonymous.send(nodes, HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("no client certificate and no token");
    }

    @Test
    @Order(8)
    void aTokenAuthenticatesJobCommandsAndTheDashboardUntilItIsRevoked() throws Exception {
        Cli.Result created =
                Cli.ok(CMD, "security", "token", "create", "carol", "--ttl", "1h", "--dir", dir.toString());
        String token = created.stdout().strip();
        assertThat(token).startsWith("cairn_").doesNotContain("\n");
        String id = token.substring("cairn_".length(), token.indexOf('.'));
        String secret = token.substring(token.indexOf('.') + 1);
        String ca = dir.resolve("security/ca.pem").toString();

        // No certificate anywhere: the CA to trust and the token.
        assertThat(Cli.ok(CMD, "job", "list", "--master", master, "--ca", ca, "--token", token)
                        .stdout())
                .contains("JOB")
                // Jobs belong to their submitter: the token's user sees her own (order 7's), not the admin's.
                .containsPattern("job-\\d+\\s+gated-wordcount\\s+carol")
                .doesNotContain("SUCCEEDED");
        assertThat(Cli.ok(CMD, "security", "token", "list", "--dir", dir.toString())
                        .stdout())
                .contains(id)
                .contains("carol")
                .contains("valid")
                .doesNotContain(secret);
        String dashboard = (String) Cli.clusterFile(dir).get("dashboard");
        HttpResponse<String> jobs = HttpClient.newBuilder()
                .sslContext(noCertificate(dir.resolve("security/ca.pem")))
                .connectTimeout(Duration.ofSeconds(10))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(dashboard + "api/jobs"))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(jobs.statusCode()).isEqualTo(200);

        assertThat(Cli.ok(CMD, "security", "token", "revoke", id, "--dir", dir.toString())
                        .stdout())
                .contains("revoked token " + id + " of user carol");
        // Nodes see the revocation through their coord watch: within seconds (10 s given here).
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Cli.Result refused = Cli.run(CMD, "job", "list", "--master", master, "--ca", ca, "--token", token);
                    assertThat(refused.exit()).isNotZero();
                    assertThat(refused.stderr().strip())
                            .isEqualTo("error: " + master + " refused the call: token revoked");
                });
        assertThat(Cli.ok(CMD, "security", "token", "list", "--dir", dir.toString())
                        .stdout())
                .contains("revoked");

        // The secret is nowhere but in the client's hands: no node log, not cluster.json; refusals name the id.
        String masterLog = Files.readString(dir.resolve("master.log"));
        assertThat(masterLog).contains("token revoked (token " + id + ")");
        try (var logs = Files.list(dir)) {
            for (Path f : logs.filter(f -> f.toString().endsWith(".log") || f.endsWith("cluster.json"))
                    .toList()) assertThat(Files.readString(f)).as(f.toString()).doesNotContain(secret);
        }
    }

    @Test
    @Order(2)
    void wordCountFromAndIntoTheStoreAndFsCommandsWorkWithTheClusterDirectory() throws Exception {
        Cli.fsOk(dir, "put", "--block-size", "1m", "-r", "2", corpus.toString(), "/in/corpus.txt");
        Cli.Result r = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                dir.toString(),
                "--example",
                "wordcount",
                "cairn:///in/corpus.txt",
                "cairn:///out/wc",
                "2");
        assertThat(r.stdout()).contains("succeeded").contains("output: cairn:///out/wc");
        Path got = Files.createDirectories(work.resolve("got"));
        List<String> lines = new ArrayList<>();
        for (String part : List.of("part-r-00000", "part-r-00001")) {
            Cli.fsOk(dir, "get", "/out/wc/" + part, got.resolve(part).toString());
            lines.addAll(Files.readAllLines(got.resolve(part), StandardCharsets.UTF_8));
        }
        lines.sort(null);
        assertThat(lines).isEqualTo(Files.readAllLines(counts, StandardCharsets.UTF_8));

        Cli.fsOk(dir, "mkdir", "/tmp/a");
        Cli.fsOk(dir, "mv", "/out/wc/part-r-00000", "/tmp/a/p0");
        assertThat(Cli.fsOk(dir, "cat", "/tmp/a/p0").stdout()).isEqualTo(Files.readString(got.resolve("part-r-00000")));
        assertThat(Cli.fsOk(dir, "ls", "/tmp/a").stdout()).contains("/tmp/a/p0");
        Cli.fsOk(dir, "rm", "-r", "/tmp/a");
        assertThat(Cli.ok(CMD, "job", "list", "--dir", dir.toString()).stdout()).contains("SUCCEEDED");
    }

    @Test
    @Order(3)
    void aUserActsWithTheirOwnCertificateAndAnUnknownUserIsToldHowToMakeOne() throws Exception {
        assertThat(Cli.ok(CMD, "security", "user", "add", "carol", "--dir", dir.toString())
                        .stdout())
                .contains("user carol");
        assertThat(Cli.ok(CMD, "job", "list", "--dir", dir.toString(), "--as", "carol")
                        .stdout())
                .contains("JOB");
        Cli.Result nobody = Cli.run(CMD, "job", "list", "--dir", dir.toString(), "--as", "nobody");
        assertThat(nobody.exit()).isNotZero();
        assertThat(nobody.stderr().strip())
                .contains("no certificate for user 'nobody'")
                .contains("security user add nobody")
                .doesNotContain("\n");
    }

    @Test
    @Order(4)
    void withoutACertificateOrWithAnotherCasCommandsFailInOneLine() throws Exception {
        Cli.Result plain = Cli.run(CMD, "job", "list", "--master", master);
        assertThat(plain.exit()).isNotZero();
        assertThat(plain.stderr().strip())
                .startsWith("error: cannot reach " + master)
                .doesNotContain("\n");

        Path local = work.resolve("small.txt");
        Files.writeString(local, "a b c\n");
        Cli.Result put = Cli.run(CMD, "fs", "put", local.toString(), "/in/plain.txt", "--connect", coordConnect);
        assertThat(put.exit()).isNotZero();
        assertThat(put.stderr().strip()).startsWith("error: ").doesNotContain("\n");

        // A cluster file whose material is another CA's: the nodes refuse its admin.
        Path foreign = Files.createDirectories(work.resolve("foreign"));
        Cli.ok(CMD, "security", "init", "--dir", foreign.toString());
        Files.writeString(
                foreign.resolve("cluster.json"),
                Files.readString(dir.resolve("cluster.json"))
                        .replace(
                                dir.resolve("security").toString(),
                                foreign.resolve("security").toString()));
        Cli.Result other = Cli.run(CMD, "job", "list", "--dir", foreign.toString());
        assertThat(other.exit()).isNotZero();
        assertThat(other.stderr().strip()).startsWith("error: ").doesNotContain("\n");
        FileTrees.deleteRecursively(foreign);
    }

    @Test
    @Order(5)
    @SuppressWarnings("unchecked")
    void noPortAnswersAPlainTextRequest() throws Exception {
        List<String> answered = new ArrayList<>();
        int probed = 0;
        for (Map<String, Object> node :
                (List<Map<String, Object>>) Cli.clusterFile(dir).get("nodes")) {
            Map<String, Integer> ports = (Map<String, Integer>) node.get("ports");
            assertThat(ports.keySet()).contains("rpc", "http");
            for (Map.Entry<String, Integer> p : ports.entrySet()) {
                probed++;
                String answer = plainAnswer(p.getKey(), p.getValue());
                if (answer != null)
                    answered.add(node.get("id") + " " + p.getKey() + " " + p.getValue() + ": " + answer);
            }
        }
        assertThat(probed).as("rpc, http, coord, raft, store and stream ports").isGreaterThanOrEqualTo(14);
        // Each refusal is one line in the node's log, naming the port.
        String workerLog = Files.readString(dir.resolve("worker-1.log"));
        assertThat(workerLog)
                .contains("refused a plain-text connection from")
                .contains("on the secure store data port")
                .contains("on the secure stream exchange port");
        assertThat(Files.readString(dir.resolve("master.log")))
                .contains("refused a connection on the secure RPC port")
                .contains("refused a connection on the secure HTTPS port");
        assertThat(answered).as("ports that answered plain text").isEmpty();
    }

    /** A TLS context trusting the cluster's CA and holding no certificate, as a token's client. */
    private static SSLContext noCertificate(Path ca) throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {TlsMaterial.trustOnly(ca)}, null);
        return c;
    }

    /**
     * Jobs belong to their submitter: carol's job (held running by its gate) is listed as hers,
     * bob neither lists, sees nor cancels it — one line naming the job and the right, from the CLI
     * and a 403 from the REST API — and it goes on running; the admin sees and cancels it.
     */
    @Test
    @Order(7)
    void aJobBelongsToItsSubmitterAndOnlyTheyAndAnAdminSeeOrCancelIt() throws Exception {
        String d = dir.toString();
        Cli.ok(CMD, "security", "user", "add", "carol", "--dir", d); // made in order 3 too: kept
        Cli.ok(CMD, "security", "user", "add", "bob", "--dir", d);
        Path gate = work.resolve("owner-gate");
        Path input = work.resolve("owner-input.txt");
        Files.writeString(input, "a b a\n");
        Cli.Result submitted = Cli.ok(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                d,
                "--as",
                "carol",
                "--detach",
                "--jar",
                GatedWordCount.jar(work, Cli.DIST.resolve("examples/cairn-examples.jar"))
                        .toString(),
                "--class",
                GatedWordCount.class.getName(),
                gate.toString(),
                input.toString(),
                work.resolve("owner-out").toString());
        String id = submitted.stdout().split("\\s+")[1];
        try {
            assertThat(Cli.ok(CMD, "job", "list", "--dir", d, "--as", "carol").stdout())
                    .containsPattern(id + "\\s+gated-wordcount\\s+carol\\s+RUNNING");
            assertThat(Cli.ok(CMD, "job", "list", "--dir", d, "--as", "bob").stdout())
                    .doesNotContain(id);
            for (String right : List.of("view", "cancel")) {
                Cli.Result refused =
                        Cli.run(CMD, "job", right.equals("view") ? "status" : "cancel", id, "--dir", d, "--as", "bob");
                assertThat(refused.exit()).isNotZero();
                assertThat(refused.stderr().strip())
                        .isEqualTo("error: permission denied: user bob may not " + right + " job " + id);
            }
            assertThat(Cli.ok(CMD, "job", "status", id, "--dir", d, "--as", "carol")
                            .stdout())
                    .as("nothing changed")
                    .contains(": RUNNING")
                    .contains("owner: carol");

            String dashboard = (String) Cli.clusterFile(dir).get("dashboard");
            HttpResponse<String> bobs = https("bob", dashboard + "api/jobs/" + id);
            assertThat(bobs.statusCode()).isEqualTo(403);
            assertThat(bobs.body()).contains("permission denied: user bob may not view job " + id);
            assertThat(https("bob", dashboard + "api/jobs").body()).doesNotContain(id);
            HttpResponse<String> admins = https("admin", dashboard + "api/jobs/" + id);
            assertThat(admins.statusCode()).isEqualTo(200);
            assertThat(admins.body()).contains("\"owner\":\"carol\"");

            assertThat(Cli.ok(CMD, "job", "cancel", id, "--dir", d).stdout())
                    .contains("CANCELLED")
                    .contains("owner: carol");
        } finally {
            Files.writeString(gate, "open");
        }
    }

    /**
     * A job reads and writes the store only as its owner may, and what it writes is theirs: bob's
     * job may not read carol's private file nor write into her directory (refused at submission,
     * in one line naming the path and the right); carol's word count reads it, and its output
     * (with the directory made for it) belongs to her, private: she reads it, bob may not.
     */
    @Test
    @Order(9)
    void aJobReadsAndWritesTheStoreOnlyAsItsOwnerMayAndItsOutputIsTheirs() throws Exception {
        String d = dir.toString();
        Cli.ok(CMD, "security", "user", "add", "carol", "--dir", d); // made by order 7: kept
        Cli.ok(CMD, "security", "user", "add", "bob", "--dir", d);
        Cli.fsOk(dir, "mkdir", "/home/carol");
        Cli.fsOk(dir, "chown", "carol", "/home/carol");
        Path small = work.resolve("carols.txt");
        Files.writeString(small, "to be or not to be\n");
        Cli.fsOk(dir, "put", small.toString(), "/home/carol/in.txt", "--as", "carol");
        Cli.fsOk(dir, "chmod", "600", "/home/carol/in.txt", "--as", "carol");

        Cli.Result reads = wordCount("bob", "cairn:///home/carol/in.txt", "cairn:///tmp/bobs-wc");
        assertThat(reads.exit()).as(reads.all()).isNotZero();
        assertThat(reads.stderr().strip())
                .isEqualTo("error: permission denied: bob needs read on cairn:///home/carol/in.txt");
        Cli.Result writes = wordCount("bob", "cairn:///in/corpus.txt", "cairn:///home/carol/bobs-wc");
        assertThat(writes.exit()).as(writes.all()).isNotZero();
        assertThat(writes.stderr().strip())
                .isEqualTo("error: permission denied: bob needs write on cairn:///home/carol");
        assertThat(Cli.ok(CMD, "job", "list", "--dir", d, "--as", "bob").stdout())
                .as("a refused job takes no id")
                .doesNotContain("bob ");

        Cli.Result carols = wordCount("carol", "cairn:///home/carol/in.txt", "cairn:///home/carol/out/wc");
        assertThat(carols.exit()).as(carols.all()).isZero();
        assertThat(carols.stdout()).contains("succeeded");
        String listing =
                Cli.fsOk(dir, "ls", "/home/carol/out/wc", "--as", "carol").stdout();
        assertThat(listing).containsPattern("rw-------\\s+\\S+\\s+carol\\s+.*/home/carol/out/wc/part-r-00000");
        assertThat(Cli.fsOk(dir, "stat", "/home/carol/out", "--as", "carol").stdout())
                .contains("carol")
                .contains("rwx------");
        assertThat(Cli.fsOk(dir, "cat", "/home/carol/out/wc/part-r-00000", "--as", "carol")
                        .stdout())
                .contains("be\t2");
        Cli.Result bobReads = Cli.fs(dir, "cat", "/home/carol/out/wc/part-r-00000", "--as", "bob");
        assertThat(bobReads.exit()).isNotZero();
        assertThat(bobReads.stderr().strip())
                .isEqualTo("error: permission denied: bob needs read on /home/carol/out/wc/part-r-00000");
    }

    /** {@code submit --example wordcount INPUT OUTPUT 1} as {@code user}, waiting for the end. */
    private static Cli.Result wordCount(String user, String input, String output) throws Exception {
        return Cli.run(
                JOB_TIMEOUT,
                "submit",
                "--dir",
                dir.toString(),
                "--as",
                user,
                "--example",
                "wordcount",
                input,
                output,
                "1");
    }

    /** A GET of {@code url} with {@code user}'s certificate. */
    private static HttpResponse<String> https(String user, String url) throws Exception {
        TlsMaterial tls = TlsMaterial.load(
                dir.resolve("security/users/" + user + ".pem"),
                dir.resolve("security/ca.pem"),
                Duration.ZERO,
                Clock.system());
        try (HttpClient client = HttpClient.newBuilder()
                .sslContext(tls.sslContext())
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            return client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /**
     * Sends the port's own protocol opening in plain text and returns what came back in plain text,
     * or null when the server closed, reset, stayed silent, or answered only with a TLS alert.
     */
    private static String plainAnswer(String port, int number) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), number), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(opening(port));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            try {
                for (int n; (n = in.read(buf)) > 0 && got.size() < 4096; ) got.write(buf, 0, n);
            } catch (SocketException | SocketTimeoutException e) {
                // reset or silence: no plain-text answer after what was read
            }
            byte[] b = got.toByteArray();
            if (b.length == 0 || b[0] == 0x15) return null; // nothing, or a TLS alert record
            return b.length + " bytes: " + new String(b, 0, Math.min(b.length, 40), StandardCharsets.ISO_8859_1);
        }
    }

    /** What a plain-text client of each port sends first, so a plain server would surely answer. */
    private static byte[] opening(String port) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        switch (port) {
            case "rpc" -> {
                // HTTP/2 connection preface and an empty SETTINGS frame: a plain gRPC server answers SETTINGS.
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            }
            case "coord" -> {
                // ZooKeeper's ConnectRequest: protocol 0, zxid 0, timeout 30 s, session 0, 16-byte password, rw.
                out.writeInt(45);
                out.writeInt(0);
                out.writeLong(0);
                out.writeInt(30_000);
                out.writeLong(0);
                out.writeInt(16);
                out.write(new byte[16]);
                out.writeBoolean(false);
            }
            case "store" -> {
                // The transfer protocol's preamble ("CXFR", version 1): a plain server answers its own.
                out.writeInt(0x43584652);
                out.writeShort(1);
            }
            case "stream" -> {
                // The stream exchange's preamble ("CDNT", version 1, a node name).
                out.writeInt(0x43444E54);
                out.writeShort(1);
                out.writeUTF("probe");
            }
            default ->
                out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }
}
