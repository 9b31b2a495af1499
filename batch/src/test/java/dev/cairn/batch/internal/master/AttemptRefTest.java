package dev.cairn.batch.internal.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AttemptRefTest {
    @Property
    void anAttemptIdParsesBackToItsAttempt(
            @ForAll("stageNames") String stage,
            @ForAll @IntRange(max = 99_999) int task,
            @ForAll @IntRange(min = 1, max = 1000) int number) {
        AttemptRef ref = new AttemptRef("job-0001", stage, task, number);
        assertThat(AttemptRef.parse("job-0001", ref.attemptId())).isEqualTo(ref);
        assertThat(AttemptRef.fromProto(ref.toProto())).isEqualTo(ref);
    }

    @Provide
    Arbitrary<String> stageNames() {
        return Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofMinLength(1)
                .ofMaxLength(12)
                .filter(s -> Character.isLetter(s.charAt(0)));
    }

    @Test
    void theStringFormsAreTheOnesUsersAndWorkersSee() {
        AttemptRef ref = AttemptRef.of("job-0007", "reduce-00003", 2);
        assertThat(ref.attemptId()).isEqualTo("reduce-00003_2");
        assertThat(ref.toString()).isEqualTo("job-0007/reduce-00003_2");
        assertThat(ref.toProto().getTaskId()).isEqualTo("reduce-00003");
    }

    @Test
    void malformedIdsAreRejectedWhereTheyArrive() {
        assertThatThrownBy(() -> AttemptRef.parse("j", "map-00001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.parse("j", "map-x_1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "Sort-00001", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "-00001", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "2nd-00001", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "map-+1", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "map--1", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttemptRef.of("j", "map-00001", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
