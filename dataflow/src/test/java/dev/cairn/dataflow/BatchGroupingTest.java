package dev.cairn.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.functions.Collector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** reduceGroup, distinct and count, in batch mode on a batch master and worker in this JVM, and in a stream. */
class BatchGroupingTest {
    record Reading(String sensor, long value) {}

    private static List<Reading> readings(long seed, int n) {
        Random random = new Random(seed);
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Reading("s" + random.nextInt(40), random.nextInt(1000)));
        return out;
    }

    @Test
    void reduceGroupSeesEachKeysRecordsAtOnce() {
        List<Reading> in = readings(3, 20_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        CollectedResult<String> medians = flow.fromCollection(in, Codecs.record(Reading.class))
                .keyBy(Reading::sensor, Codecs.STRING)
                .reduceGroup(
                        (String sensor, Iterable<Reading> records, Collector<String> out) -> {
                            List<Long> values = new ArrayList<>();
                            for (Reading r : records) values.add(r.value());
                            Collections.sort(values);
                            out.collect(sensor + "=" + values.get((values.size() - 1) / 2) + "/" + values.size());
                        },
                        Codecs.STRING)
                .collect();

        flow.execute(RuntimeMode.BATCH);

        Map<String, List<Long>> bySensor = new TreeMap<>();
        for (Reading r : in)
            bySensor.computeIfAbsent(r.sensor(), s -> new ArrayList<>()).add(r.value());
        assertThat(medians.get())
                .containsExactlyInAnyOrderElementsOf(bySensor.entrySet().stream()
                        .map(e -> {
                            List<Long> v = e.getValue().stream().sorted().toList();
                            return e.getKey() + "=" + v.get((v.size() - 1) / 2) + "/" + v.size();
                        })
                        .toList());
    }

    @Test
    void distinctAndCountInBatchMode() {
        List<Reading> in = readings(5, 30_000);
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(3));
        Stream<Reading> readings = flow.fromCollection(in, Codecs.record(Reading.class));
        CollectedResult<String> sensors =
                readings.map(Reading::sensor, Codecs.STRING).distinct().collect();
        CollectedResult<Long> count = readings.count().collect();
        CollectedResult<Long> distinctCount = readings.distinct().count().collect();

        flow.execute(RuntimeMode.BATCH);

        assertThat(sensors.get())
                .containsExactlyInAnyOrderElementsOf(
                        in.stream().map(Reading::sensor).distinct().toList());
        assertThat(count.get()).containsExactly((long) in.size());
        assertThat(distinctCount.get()).containsExactly(in.stream().distinct().count());
    }

    @Test
    void inAStreamDistinctPassesFirstOccurrencesAndReduceGroupIsRefused() {
        List<String> words = List.of("a", "b", "a", "c", "b", "a", "d");
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        CollectedResult<String> firsts =
                flow.fromCollection(words, Codecs.STRING).distinct().collect();
        flow.execute();
        assertThat(firsts.get()).containsExactlyInAnyOrder("a", "b", "c", "d");

        Dataflow grouping = Dataflow.create();
        grouping.fromCollection(words, Codecs.STRING)
                .keyBy(w -> w, Codecs.STRING)
                .reduceGroup((String w, Iterable<String> all, Collector<String> out) -> out.collect(w), Codecs.STRING)
                .collect();
        assertThatThrownBy(grouping::execute).hasStackTraceContaining("reduceGroup runs in batch mode");
    }
}
