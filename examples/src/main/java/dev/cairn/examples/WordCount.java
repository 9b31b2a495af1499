package dev.cairn.examples;

import dev.cairn.batch.Combiner;
import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.Reducer;
import dev.cairn.common.codec.Codecs;
import java.util.Iterator;

/**
 * Counts words: {@code wordcount INPUT OUTPUT [REDUCERS]}. Words are maximal runs of
 * non-whitespace characters; output lines are {@code word<TAB>count}.
 */
public final class WordCount implements JobDefinition {

    @Override
    public JobSpec define(String[] args) {
        if (args.length < 2 || args.length > 3)
            throw new IllegalArgumentException("usage: wordcount INPUT OUTPUT [REDUCERS]");
        return JobSpec.builder("wordcount")
                .input(args[0])
                .output(args[1])
                .mapper(TokenMapper.class)
                .combiner(Sum.class)
                .reducer(SumReducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .reducers(args.length == 3 ? Integer.parseInt(args[2]) : 2)
                .build();
    }

    /** Emits (word, 1) for every word of the line. */
    public static final class TokenMapper implements Mapper<Long, String, String, Long> {
        private static final Long ONE = 1L;

        @Override
        public void map(Long offset, String line, Emitter<String, Long> out) throws Exception {
            int n = line.length();
            int i = 0;
            while (i < n) {
                while (i < n && isSpace(line.charAt(i))) i++;
                int start = i;
                while (i < n && !isSpace(line.charAt(i))) i++;
                if (i > start) out.emit(line.substring(start, i), ONE);
            }
        }

        /** Character.isWhitespace, with printable ASCII (most text) decided by one comparison. */
        private static boolean isSpace(char c) {
            return (c <= ' ' || c >= 0x7F) && Character.isWhitespace(c);
        }
    }

    public static final class Sum implements Combiner<Long> {
        @Override
        public Long combine(Long left, Long right) {
            return left + right;
        }
    }

    public static final class SumReducer implements Reducer<String, Long, String, Long> {
        @Override
        public void reduce(String word, Iterator<Long> counts, Emitter<String, Long> out) throws Exception {
            long sum = 0;
            while (counts.hasNext()) sum += counts.next();
            out.emit(word, sum);
        }
    }
}
