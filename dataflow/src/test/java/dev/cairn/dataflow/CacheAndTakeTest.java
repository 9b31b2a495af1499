package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Stream#cache()} and {@link Stream#take(long)} in batch mode, on a batch master and worker
 * in this JVM, against answers computed here; and both in a stream.
 */
class CacheAndTakeTest {
    record Sale(String shop, long cents) {}

    /** Lines parsed in this JVM: the batch runtime runs its tasks here. */
    private static final AtomicLong PARSED = new AtomicLong();

    /** Sales of 40 shops with distinct amounts; a tenth refunds (negative), which the programs drop. */
    private static List<Sale> sales(Path file, long seed, int lines) throws IOException {
        Random random = new Random(seed);
        List<Long> amounts =
                new ArrayList<>(LongStream.range(1, lines + 1).boxed().toList());
        Collections.shuffle(amounts, random);
        List<Sale> sales = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            long cents = amounts.get(i) * 7 * (random.nextInt(10) == 0 ? -1 : 1);
            Sale s = new Sale("shop" + random.nextInt(40), cents);
            sales.add(s);
            text.append(s.shop()).append(',').append(s.cents()).append('\n');
        }
        Files.writeString(file, text);
        return sales;
    }

    private static Sale parse(String line) {
        PARSED.incrementAndGet();
        int comma = line.indexOf(',');
        return new Sale(line.substring(0, comma), Long.parseLong(line.substring(comma + 1)));
    }

    private record Results(CollectedResult<String> perShop, CollectedResult<Long> smallest) {}

    /**
     * Per shop, the sum and the largest sale, joined: two aggregations and a join over one parsed,
     * filtered dataset; and the five smallest sales in order, sorted from the same dataset.
     */
    private static Results program(Dataflow flow, Path in, boolean cache) {
        Stream<Sale> parsed = flow.readTextFile(in)
                .map(CacheAndTakeTest::parse, Codecs.record(Sale.class))
                .filter(s -> s.cents() > 0);
        Stream<Sale> sales = cache ? parsed.cache() : parsed;
        Stream<Sale> sums =
                sales.keyBy(Sale::shop, Codecs.STRING).reduce((a, b) -> new Sale(a.shop(), a.cents() + b.cents()));
        Stream<Sale> largest = sales.keyBy(Sale::shop, Codecs.STRING).reduce((a, b) -> a.cents() >= b.cents() ? a : b);
        CollectedResult<String> perShop = sums.keyBy(Sale::shop, Codecs.STRING)
                .join(largest.keyBy(Sale::shop, Codecs.STRING))
                .apply((s, l) -> s.shop() + " " + s.cents() + " " + l.cents(), Codecs.STRING)
                .collect();
        CollectedResult<Long> smallest = sales.sortBy(Sale::cents, Codecs.LONG)
                .map(Sale::cents, Codecs.LONG)
                .take(5)
                .collect();
        return new Results(perShop, smallest);
    }

    @Test
    void aCachedDatasetFeedsTwoAggregationsAJoinAndASortAndIsParsedOnce(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("sales.csv");
        int lines = 30_000;
        List<Sale> sales = sales(in, 5, lines);
        Map<String, long[]> expected = new TreeMap<>();
        for (Sale s : sales) {
            if (s.cents() <= 0) continue;
            long[] sumMax = expected.computeIfAbsent(s.shop(), k -> new long[2]);
            sumMax[0] += s.cents();
            sumMax[1] = Math.max(sumMax[1], s.cents());
        }
        List<String> expectedPerShop = expected.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()[0] + " " + e.getValue()[1])
                .toList();
        List<Long> expectedSmallest = sales.stream()
                .mapToLong(Sale::cents)
                .filter(c -> c > 0)
                .sorted()
                .limit(5)
                .boxed()
                .toList();

        long parsedWithout = parsedBy(in, false, expectedPerShop, expectedSmallest);
        long parsedWith = parsedBy(in, true, expectedPerShop, expectedSmallest);

        assertThat(parsedWith).as("with the cache, each line is parsed once").isEqualTo(lines);
        assertThat(parsedWithout)
                .as("without it, the sort's sampling pass parses the input again")
                .isEqualTo(2L * lines);
    }

    private static long parsedBy(Path in, boolean cache, List<String> perShop, List<Long> smallest) {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Results results = program(flow, in, cache);
        PARSED.set(0);

        flow.execute(RuntimeMode.BATCH);

        assertThat(results.perShop().get().stream().sorted().toList()).isEqualTo(perShop);
        assertThat(results.smallest().get()).as("the first five in order").isEqualTo(smallest);
        return PARSED.get();
    }

    @Test
    void aCacheKeepsItsProducersOrderAndTakeReadsTasksInOrder(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("sales.csv");
        List<Sale> sales = sales(in, 9, 20_000);
        List<Long> descending = sales.stream()
                .map(Sale::cents)
                .sorted(Collections.reverseOrder())
                .toList();
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Long> sorted = flow.readTextFile(in)
                .map(CacheAndTakeTest::parse, Codecs.record(Sale.class))
                .sortBy(Sale::cents, Codecs.LONG, SortOrder.DESCENDING)
                .map(Sale::cents, Codecs.LONG)
                .cache();
        CollectedResult<Long> first = sorted.take(12_000).collect();
        CollectedResult<Long> all = sorted.take(1_000_000).collect();
        CollectedResult<Long> none = sorted.take(0).collect();
        CollectedResult<Long> count = sorted.count().collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(first.get()).as("across the sort's ranges").isEqualTo(descending.subList(0, 12_000));
        assertThat(all.get()).isEqualTo(descending);
        assertThat(none.get()).isEmpty();
        assertThat(count.get()).containsExactly((long) sales.size());
    }

    @Test
    void takeOfAGeneratorGivesTheFirstTasksFirstRecords() {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        CollectedResult<Long> first = flow.generateSequence(0, 1_000).take(300).collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(first.get())
                .as("task 0 emits 0..249, task 1 250..499")
                .isEqualTo(LongStream.range(0, 300).boxed().toList());
    }

    @Test
    void inAStreamCacheIsAnIdentityAndTakeKeepsNOfTheRecords() {
        List<Integer> items = java.util.stream.IntStream.range(0, 1_000).boxed().toList();
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(4));
        Stream<Integer> cached =
                flow.fromCollection(items, Codecs.INT).parallelism(4).cache();
        CollectedResult<Integer> doubled = cached.map(i -> 2 * i, Codecs.INT).collect();
        CollectedResult<Integer> ten = cached.take(10).collect();

        flow.execute();

        assertThat(doubled.get())
                .containsExactlyInAnyOrderElementsOf(
                        items.stream().map(i -> 2 * i).toList());
        assertThat(ten.get()).hasSize(10).doesNotHaveDuplicates().isSubsetOf(items);
    }
}
