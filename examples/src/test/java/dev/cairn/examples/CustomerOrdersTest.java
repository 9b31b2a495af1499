package dev.cairn.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.batch.LocalJobRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The join example on the local runner: exact output against a model, counters for every skipped line. */
class CustomerOrdersTest {
    @Test
    void joinsEachCustomerWithItsOrdersAndCountsWhatItSkips(@TempDir Path dir) throws Exception {
        Random random = new Random(5);
        StringBuilder customers = new StringBuilder();
        Map<Long, String> who = new TreeMap<>();
        for (long id = 1; id <= 300; id++) {
            String name = "name" + id;
            String country = "C" + random.nextInt(12);
            who.put(id, name + "," + country);
            customers
                    .append(id)
                    .append(',')
                    .append(name)
                    .append(',')
                    .append(country)
                    .append('\n');
        }
        customers.append("not,a customer line at all\n").append("17,,\n");
        StringBuilder orders = new StringBuilder();
        Map<Long, long[]> expected = new TreeMap<>();
        int orphans = 0;
        for (int o = 0; o < 4_000; o++) {
            long customer = 1 + random.nextInt(320); // 301..320 are nobody's
            long amount = random.nextInt(100_000);
            orders.append(o)
                    .append(',')
                    .append(customer)
                    .append(',')
                    .append(amount)
                    .append('\n');
            if (customer > 300) {
                orphans++;
            } else {
                long[] e = expected.computeIfAbsent(customer, c -> new long[2]);
                e[0]++;
                e[1] += amount;
            }
        }
        orders.append("x,y,z\n").append("5,6\n").append("7,8,-3\n");
        Path c = Files.writeString(dir.resolve("customers.csv"), customers);
        Path o = Files.createDirectories(dir.resolve("orders"));
        // Orders in several files of a directory: each split still knows which input it reads.
        String[] lines = orders.toString().split("\n", -1);
        for (int part = 0; part < 3; part++) {
            StringBuilder b = new StringBuilder();
            for (int i = part; i < lines.length; i += 3)
                if (!lines[i].isEmpty()) b.append(lines[i]).append('\n');
            Files.writeString(o.resolve("orders-" + part + ".csv"), b);
        }

        JobStatus done;
        try (LocalJobRunner runner = LocalJobRunner.start()) {
            done = runner.run(
                    new CustomerOrders(),
                    c.toString(),
                    o.toString(),
                    dir.resolve("out").toString());
        }

        assertThat(done.state()).as(done.error()).isEqualTo(JobState.SUCCEEDED);
        Map<Long, String> want = new TreeMap<>();
        expected.forEach((id, e) -> want.put(id, who.get(id) + "," + e[0] + "," + e[1]));
        assertThat(read(dir.resolve("out"))).isEqualTo(want);
        assertThat(done.counter(CustomerOrders.COUNTERS, "malformed-customers")).isEqualTo(2);
        assertThat(done.counter(CustomerOrders.COUNTERS, "malformed-orders")).isEqualTo(3);
        assertThat(done.counter(CustomerOrders.COUNTERS, "orphan-orders")).isEqualTo(orphans);
        assertThat(done.counter("cairn", "map-records-in")).isEqualTo(300 + 2 + 4_000 + 3);
        assertThat(done.counter("cairn", "map-input-bytes")).isEqualTo(Files.size(c) + sizeOf(o));
        assertThat(done.counter("cairn", "reduce-records-out")).isEqualTo(expected.size());
    }

    private static long sizeOf(Path dir) throws Exception {
        long n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) n += Files.size(p);
        }
        return n;
    }

    private static Map<Long, String> read(Path out) throws Exception {
        Map<Long, String> got = new TreeMap<>();
        List<Path> parts = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> p.getFileName().toString().startsWith("part-")).forEach(parts::add);
        }
        for (Path p : parts) {
            for (String line : Files.readAllLines(p)) {
                String[] kv = line.split("\t", -1);
                assertThat(got.put(Long.parseLong(kv[0]), kv[1]))
                        .as("customer %s once", kv[0])
                        .isNull();
            }
        }
        return got;
    }
}
