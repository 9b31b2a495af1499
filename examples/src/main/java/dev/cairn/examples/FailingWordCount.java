package dev.cairn.examples;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.common.codec.Codecs;

/**
 * Word count whose mapper throws on any line containing a given word:
 * {@code failing-wordcount WORD INPUT OUTPUT}. Shows how a job fails when user code does.
 */
public final class FailingWordCount implements JobDefinition {

    @Override
    public JobSpec define(String[] args) {
        if (args.length != 3) throw new IllegalArgumentException("usage: failing-wordcount WORD INPUT OUTPUT");
        return JobSpec.builder("failing-wordcount")
                .input(args[1])
                .output(args[2])
                .mapper(PickyMapper.class)
                .reducer(WordCount.SumReducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .maxAttempts(2)
                .param("poison", args[0])
                .build();
    }

    public static final class PickyMapper implements Mapper<Long, String, String, Long> {
        private String poison;
        private final WordCount.TokenMapper tokens = new WordCount.TokenMapper();

        @Override
        public void setup(dev.cairn.batch.TaskContext context) {
            poison = context.param("poison");
        }

        @Override
        public void map(Long offset, String line, Emitter<String, Long> out) throws Exception {
            if (line.contains(poison))
                throw new IllegalStateException("poison word '" + poison + "' at byte " + offset);
            tokens.map(offset, line, out);
        }
    }
}
