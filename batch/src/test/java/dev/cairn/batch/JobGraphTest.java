package dev.cairn.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules a graph of stages keeps, checked where it is made (before anything is submitted). */
class JobGraphTest {
    private static final String P = "dev.cairn.Program";

    private static JobGraph graph(StageSpec... stages) {
        return new JobGraph("g", List.of(stages), "/out", 0, 0, Map.of());
    }

    @Test
    void aMapReduceJobIsMapThenReduce() {
        JobSpec spec = JobSpec.builder("wc")
                .input("/in")
                .output("/out")
                .mapper(NoMapper.class)
                .reducer(NoReducer.class)
                .mapOutput(dev.cairn.common.codec.Codecs.STRING, dev.cairn.common.codec.Codecs.LONG)
                .reducers(3)
                .build();
        JobGraph g = JobGraph.of(spec);
        assertThat(g.stages()).extracting(StageSpec::name).containsExactly("map", "reduce");
        assertThat(g.stage("map").outputPartitions()).isEqualTo(3);
        assertThat(g.stage("reduce").tasks()).isEqualTo(3);
        assertThat(g.stage("reduce").writesJobOutput()).isTrue();
    }

    @Test
    void brokenGraphsAreRejectedWithTheReason() {
        StageSpec read = StageSpec.reading("read", List.of("/in"), 4, P, null);
        assertThatThrownBy(() -> graph(StageSpec.after("sum", List.of("read"), 4, 0, P, null)))
                .hasMessageContaining("stage sum reads read, which is not an earlier stage");
        assertThatThrownBy(() -> graph(read, StageSpec.after("sum", List.of("read"), 3, 0, P, null)))
                .hasMessageContaining("stage sum has 3 tasks but its parent read writes 4 partitions");
        assertThatThrownBy(() -> graph(read))
                .hasMessageContaining("stage read writes partitions that no later stage reads");
        assertThatThrownBy(() -> graph(read, StageSpec.after("read", List.of("read"), 4, 0, P, null)))
                .hasMessageContaining("two stages are named read");
        assertThatThrownBy(() -> StageSpec.reading("Read", List.of("/in"), 0, P, null))
                .hasMessageContaining("must be lower-case letters and digits");
        assertThatThrownBy(() -> new StageSpec("x", List.of("/in"), List.of("y"), 0, 0, P, null, List.of(), null))
                .hasMessageContaining("either files or parent stages, not both");
        assertThatThrownBy(() -> StageSpec.generating("gen", 0, 0, P, null))
                .hasMessageContaining("stage gen reads no files and needs tasks >= 1, got 0");
        assertThatThrownBy(() -> graph()).hasMessageContaining("has no stages");
    }

    @Test
    void theProgramBytesAreCopiedInAndOut() {
        byte[] program = {1, 2, 3};
        StageSpec s = StageSpec.reading("read", List.of("/in"), 0, P, program);
        program[0] = 9;
        assertThat(s.program()).containsExactly(1, 2, 3);
        s.program()[1] = 9;
        assertThat(s).isEqualTo(StageSpec.reading("read", List.of("/in"), 0, P, new byte[] {1, 2, 3}));
    }

    static final class NoMapper implements Mapper<Long, String, String, Long> {
        @Override
        public void map(Long key, String value, Emitter<String, Long> out) {}
    }

    static final class NoReducer implements Reducer<String, Long, String, Long> {
        @Override
        public void reduce(String key, java.util.Iterator<Long> values, Emitter<String, Long> out) {}
    }
}
