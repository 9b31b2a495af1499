package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.AggregateFunction;
import dev.cairn.dataflow.functions.Collector;
import dev.cairn.dataflow.window.WindowAssigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Programs of the dataflow API in batch mode, on a batch master and worker in this JVM. */
class BatchModeTest {
    record WordCount(String word, long count) {}

    private static Map<String, Long> corpus(Path file, long seed, int words) throws IOException {
        Random random = new Random(seed);
        Map<String, Long> counts = new TreeMap<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String w = "w" + (int) Math.floor(Math.pow(random.nextDouble(), 2) * 300);
            counts.merge(w, 1L, Long::sum);
            text.append(w).append(i % 10 == 9 ? '\n' : ' ');
        }
        Files.writeString(file, text);
        return counts;
    }

    private static Stream<WordCount> words(Stream<String> lines) {
        return lines.flatMap(
                (String line, Collector<WordCount> out) -> {
                    for (String w : line.split(" ")) out.collect(new WordCount(w, 1));
                },
                Codecs.record(WordCount.class));
    }

    @Test
    void aKeyedReduceGivesOneResultPerKeyAndTheTextSinkWritesTheJobsOutput(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        Map<String, Long> expected = corpus(in, 3, 20_000);
        Path out = dir.resolve("out");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        words(flow.readTextFile(in))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .map(wc -> wc.word() + "=" + wc.count(), Codecs.STRING)
                .writeAsText(out);

        flow.execute(RuntimeMode.BATCH);

        List<String> lines = new ArrayList<>();
        try (var parts = Files.list(out)) {
            for (Path p : parts.sorted().toList()) lines.addAll(Files.readAllLines(p));
        }
        lines.sort(null);
        assertThat(lines)
                .isEqualTo(expected.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .toList());
        try (var parts = Files.list(out)) {
            assertThat(parts.map(p -> p.getFileName().toString()))
                    .as("one part per task of the last stage, and the commit's marker")
                    .containsExactlyInAnyOrder("part-00000", "part-00001", "part-00002", "_SUCCESS");
        }
    }

    @Test
    void windowsAndAggregatesFireAtTheEndOfInputAsInAStream(@TempDir Path dir) throws IOException {
        // (key, timestamp) pairs, out of order within 3 s, tumbling 10 s windows summed per key.
        Random random = new Random(5);
        List<String> events = new ArrayList<>();
        Map<String, Long> sums = new TreeMap<>();
        for (int i = 0; i < 5_000; i++) {
            long ts = Math.max(0, i * 20L - random.nextInt(3_000));
            String key = "k" + random.nextInt(7);
            events.add(key + "," + ts);
            sums.merge(key + "@" + (ts / 10_000 * 10_000), 1L, Long::sum);
        }
        Files.write(dir.resolve("events.csv"), events);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<Long> result = flow.readTextFile(dir.resolve("events.csv"))
                .assignTimestamps(
                        line -> Long.parseLong(line.substring(line.indexOf(',') + 1)),
                        WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(3)))
                .keyBy(line -> line.substring(0, line.indexOf(',')), Codecs.STRING)
                .window(WindowAssigner.tumbling(Duration.ofSeconds(10)))
                .aggregate(new CountLines(), Codecs.LONG, Codecs.LONG)
                .collect();
        // The window's key and start are not in a plain aggregate's output: compare the multiset of counts.
        flow.execute(RuntimeMode.BATCH);
        assertThat(result.get().stream().sorted().toList())
                .isEqualTo(sums.values().stream().sorted().toList());
    }

    @Test
    void aFunctionThatThrowsFailsTheExecutionNamingItsOperator(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        corpus(in, 9, 1_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        words(flow.readTextFile(in))
                .map(
                        wc -> {
                            if (wc.word().equals("w7")) throw new IllegalStateException("no sevens here");
                            return wc;
                        },
                        Codecs.record(WordCount.class))
                .name("picky map")
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> a)
                .collect();
        assertThatThrownBy(() -> flow.execute(RuntimeMode.BATCH))
                .isInstanceOf(DataflowException.class)
                .hasMessageContaining("picky map")
                .hasMessageContaining("no sevens here");
    }

    @Test
    void programsBatchModeCannotRunAreRejectedBeforeAnythingRuns(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.txt");
        corpus(in, 1, 100);
        Dataflow flow = Dataflow.create();
        Stream<String> lines = flow.readTextFile(in);
        lines.writeAsText(dir.resolve("a"));
        lines.writeAsText(dir.resolve("b"));
        assertThatThrownBy(() -> flow.execute(RuntimeMode.BATCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch mode writes one text file output");
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void collectionSourcesRunAsGeneratorStages() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        List<Long> numbers = new ArrayList<>();
        for (long i = 0; i < 1_000; i++) numbers.add(i);
        CollectedResult<String> result = flow.fromCollection(numbers, Codecs.LONG)
                .parallelism(2)
                .keyBy(n -> n % 10, Codecs.LONG)
                .reduce(Long::sum)
                .map(String::valueOf, Codecs.STRING)
                .collect();
        flow.execute(RuntimeMode.BATCH);
        Map<Long, Long> want =
                numbers.stream().collect(Collectors.groupingBy(n -> n % 10, Collectors.summingLong(n -> n)));
        assertThat(result.get().stream().map(Long::parseLong).sorted().toList())
                .isEqualTo(want.values().stream().sorted().toList());
    }

    record Customer(long id, String name) {}

    record Order(long id, long customer, long cents) {}

    @Test
    void joinsMatchEveryPairOfAKeyAcrossTwoFileStages(@TempDir Path dir) throws IOException {
        Random random = new Random(17);
        List<String> customers = new ArrayList<>();
        for (int c = 0; c < 300; c++) customers.add(c + "|name" + c);
        List<String> orders = new ArrayList<>();
        Map<String, Long> cents = new TreeMap<>();
        for (int o = 0; o < 4_000; o++) {
            long customer = random.nextInt(400); // customers 300..399 do not exist: left out of the inner join
            long amount = random.nextInt(10_000);
            orders.add(o + "|" + customer + "|" + amount);
            if (customer < 300) cents.merge("name" + customer, amount, Long::sum);
        }
        Files.write(dir.resolve("customers.tbl"), customers);
        Files.write(dir.resolve("orders.tbl"), orders);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Customer> cs = flow.readTextFile(dir.resolve("customers.tbl"))
                .map(
                        l -> new Customer(Long.parseLong(l.split("\\|")[0]), l.split("\\|")[1]),
                        Codecs.record(Customer.class));
        Stream<Order> os = flow.readTextFile(dir.resolve("orders.tbl"))
                .map(
                        l -> {
                            String[] f = l.split("\\|");
                            return new Order(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
                        },
                        Codecs.record(Order.class));
        CollectedResult<String> result = os.keyBy(Order::customer, Codecs.LONG)
                .join(cs.keyBy(Customer::id, Codecs.LONG))
                .apply((o, c) -> new WordCount(c.name(), o.cents()), Codecs.record(WordCount.class))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .map(w -> w.word() + "=" + w.count(), Codecs.STRING)
                .collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(result.get().stream().sorted().toList())
                .isEqualTo(cents.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .toList());
    }

    /** The customers file is small: the join runs as a broadcast hash join in the orders' stage. */
    @Test
    void aBroadcastLeftOuterJoinPairsUnmatchedLeftRecordsWithNull(@TempDir Path dir) throws IOException {
        List<String> customers = new ArrayList<>();
        for (int c = 0; c < 50; c++) customers.add(c + "|name" + c);
        List<String> orders = new ArrayList<>();
        Map<String, Long> perName = new TreeMap<>();
        Random random = new Random(23);
        for (int o = 0; o < 3_000; o++) {
            long customer = random.nextInt(60);
            orders.add(o + "|" + customer + "|1");
            perName.merge(customer < 50 ? "name" + customer : "none", 1L, Long::sum);
        }
        Files.write(dir.resolve("customers.tbl"), customers);
        Files.write(dir.resolve("orders.tbl"), orders);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        Stream<Customer> cs = flow.readTextFile(dir.resolve("customers.tbl"))
                .map(
                        l -> new Customer(Long.parseLong(l.split("\\|")[0]), l.split("\\|")[1]),
                        Codecs.record(Customer.class));
        CollectedResult<String> result = flow.readTextFile(dir.resolve("orders.tbl"))
                .map(l -> Long.parseLong(l.split("\\|")[1]), Codecs.LONG)
                .keyBy(c -> c, Codecs.LONG)
                .join(cs.keyBy(Customer::id, Codecs.LONG))
                .leftOuterJoin(
                        (o, c) -> new WordCount(c == null ? "none" : c.name(), 1), Codecs.record(WordCount.class))
                .keyBy(WordCount::word, Codecs.STRING)
                .reduce((a, b) -> new WordCount(a.word(), a.count() + b.count()))
                .map(w -> w.word() + "=" + w.count(), Codecs.STRING)
                .collect();
        assertThat(dev.cairn.dataflow.internal.batch.BatchPlanner.plan(flow.toGraph(), "j", "/scratch", 0, 0)
                        .job()
                        .stages())
                .as("customers broadcast into the orders' stage")
                .hasSize(3)
                .anySatisfy(st -> assertThat(st.broadcasts()).hasSize(1));

        flow.execute(RuntimeMode.BATCH);

        assertThat(result.get().stream().sorted().toList())
                .isEqualTo(perName.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .toList());
    }

    @Test
    void aLeftOuterJoinKeepsLeftRecordsWithoutAMatch() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        List<Long> left = new ArrayList<>();
        for (long i = 0; i < 200; i++) left.add(i);
        Stream<Long> ls = flow.fromCollection(left, Codecs.LONG);
        // Both sides from one stage: the join stage reads one parent, both edges' records by key.
        Stream<Long> rs = ls.filter(n -> n % 3 == 0).map(n -> n * 10, Codecs.LONG);
        CollectedResult<String> result = ls.keyBy(n -> n, Codecs.LONG)
                .join(rs.keyBy(n -> n / 10, Codecs.LONG))
                .leftOuterJoin((l, r) -> l + ":" + r, Codecs.STRING)
                .collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(result.get().stream().sorted().toList())
                .isEqualTo(left.stream()
                        .map(n -> n + ":" + (n % 3 == 0 ? String.valueOf(n * 10) : "null"))
                        .sorted()
                        .toList());
    }

    @Test
    void joinsOnKeysOfDifferentTypesAreRejectedWhenTheProgramIsBuilt() {
        Dataflow flow = Dataflow.create();
        Stream<Long> numbers = flow.fromCollection(List.of(1L, 2L), Codecs.LONG);
        KeyedStream<Object, Long> byLong = numbers.keyBy(n -> n, (dev.cairn.common.codec.Codec) Codecs.LONG);
        KeyedStream<Object, Long> byString = numbers.keyBy(n -> "" + n, (dev.cairn.common.codec.Codec) Codecs.STRING);
        assertThatThrownBy(() -> byLong.join(byString).apply((a, b) -> a, Codecs.LONG))
                .hasMessageContaining("cannot join on keys of different types");
    }

    @Test
    void anUnwindowedJoinIsRefusedInAStream() {
        Dataflow flow = Dataflow.create();
        Stream<Long> numbers = flow.fromCollection(List.of(1L, 2L), Codecs.LONG);
        numbers.keyBy(n -> n, Codecs.LONG)
                .join(numbers.keyBy(n -> n, Codecs.LONG))
                .apply((a, b) -> a + b, Codecs.LONG)
                .collect();
        assertThatThrownBy(flow::execute).hasStackTraceContaining("an unwindowed join runs in batch mode");
    }

    static final class CountLines implements AggregateFunction<String, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(String value, Long accumulator) {
            return accumulator + 1;
        }

        @Override
        public Long getResult(Long accumulator) {
            return accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }
}
