package dev.cairn.node.testjobs;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.Reducer;
import dev.cairn.common.codec.Codecs;
import java.util.Iterator;

/** A word count with a record-typed value, no combiner and a custom partitioner: exercises the plain sort path. */
public final class CountWords implements JobDefinition {
    public record Tally(long count, int longest) {}

    @Override
    public JobSpec define(String[] args) {
        return JobSpec.builder("count-words")
                .input(args[0])
                .output(args[1])
                .mapper(Split.class)
                .reducer(Total.class)
                .partitioner(FirstLetter.class)
                .mapOutput(Codecs.STRING, Codecs.record(Tally.class))
                .reducers(3)
                .build();
    }

    public static final class Split implements Mapper<Long, String, String, Tally> {
        @Override
        public void map(Long offset, String line, Emitter<String, Tally> out) throws Exception {
            for (String w : line.split(" ")) if (!w.isEmpty()) out.emit(w, new Tally(1, w.length()));
        }
    }

    public static final class Total implements Reducer<String, Tally, String, Long> {
        @Override
        public void reduce(String word, Iterator<Tally> values, Emitter<String, Long> out) throws Exception {
            long sum = 0;
            while (values.hasNext()) sum += values.next().count();
            out.emit(word, sum);
        }
    }

    public static final class FirstLetter implements dev.cairn.batch.Partitioner<String> {
        @Override
        public int partition(String key, int n) {
            return key.charAt(0) % n;
        }
    }
}
