package dev.cairn.examples;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.TaskContext;
import dev.cairn.common.codec.Codecs;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Counts the matches of a Java regular expression: {@code grep PATTERN INPUT OUTPUT}. Output
 * lines are {@code match<TAB>count}, like Hadoop's grep example.
 */
public final class Grep implements JobDefinition {

    @Override
    public JobSpec define(String[] args) {
        if (args.length != 3) throw new IllegalArgumentException("usage: grep PATTERN INPUT OUTPUT");
        try {
            Pattern.compile(args[0]);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad pattern: " + e.getDescription() + " in '" + args[0] + "'");
        }
        return JobSpec.builder("grep")
                .input(args[1])
                .output(args[2])
                .mapper(MatchMapper.class)
                .combiner(WordCount.Sum.class)
                .reducer(WordCount.SumReducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .param("pattern", args[0])
                .build();
    }

    /** Emits (match, 1) for every match of the pattern in the line. */
    public static final class MatchMapper implements Mapper<Long, String, String, Long> {
        private Matcher matcher;

        @Override
        public void setup(TaskContext context) {
            matcher = Pattern.compile(context.param("pattern")).matcher("");
        }

        @Override
        public void map(Long offset, String line, Emitter<String, Long> out) throws Exception {
            matcher.reset(line);
            while (matcher.find()) out.emit(matcher.group(), 1L);
        }
    }
}
