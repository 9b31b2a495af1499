package dev.cairn.dataflow.internal.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    static TimerQueue.Timer<String, String> timer(long time, String key) {
        return new TimerQueue.Timer<>(time, key, 0, "ns");
    }

    @Test
    void firesInTimeOrderThenRegistrationOrderAndOnlyLiveTimers() {
        TimerQueue<String, String> q = new TimerQueue<>();
        q.register(timer(20, "a"));
        q.register(timer(10, "b"));
        q.register(timer(20, "c"));
        q.register(timer(10, "b")); // a duplicate: still one timer
        q.register(timer(10, "d"));
        q.delete(timer(10, "d"));
        q.delete(timer(30, "x")); // not there: nothing happens
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.nextTime()).isEqualTo(10);
        assertThat(q.pollDue(9)).isNull();
        assertThat(q.pollDue(10)).isEqualTo(timer(10, "b"));
        assertThat(q.pollDue(10)).isNull();
        assertThat(q.nextTime()).isEqualTo(20);
        q.register(timer(15, "e")); // registered while firing, earlier than the rest: fires next
        assertThat(q.pollDue(100)).isEqualTo(timer(15, "e"));
        assertThat(q.pollDue(100)).isEqualTo(timer(20, "a"));
        q.register(timer(20, "f")); // same time as the one firing: after the others of that time
        assertThat(q.pollDue(100)).isEqualTo(timer(20, "c"));
        assertThat(q.pollDue(100)).isEqualTo(timer(20, "f"));
        assertThat(q.pollDue(Long.MAX_VALUE)).isNull();
        assertThat(q.nextTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(q.size()).isZero();
    }

    /** Against a model: a list of live timers, polled as the earliest time first, registered first among equals. */
    @Property(tries = 200)
    void behavesAsASetPolledInTimeOrder(@ForAll long seed) {
        Random random = new Random(seed);
        TimerQueue<String, String> q = new TimerQueue<>();
        Set<TimerQueue.Timer<String, String>> model = new LinkedHashSet<>();
        for (int step = 0; step < 300; step++) {
            TimerQueue.Timer<String, String> t = timer(random.nextInt(8), "k" + random.nextInt(6));
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    q.register(t);
                    model.add(t);
                }
                case 2 -> {
                    q.delete(t);
                    model.remove(t);
                }
                default -> {
                    long due = random.nextInt(10);
                    TimerQueue.Timer<String, String> expected = null;
                    for (TimerQueue.Timer<String, String> m : model) {
                        if (m.time() <= due && (expected == null || m.time() < expected.time())) expected = m;
                    }
                    assertThat(q.pollDue(due)).isEqualTo(expected);
                    if (expected != null) model.remove(expected);
                }
            }
            assertThat(q.size()).isEqualTo(model.size());
            assertThat(new LinkedHashSet<>(q.live())).isEqualTo(model);
            long next = Long.MAX_VALUE;
            for (TimerQueue.Timer<String, String> m : model) next = Math.min(next, m.time());
            assertThat(q.nextTime()).isEqualTo(next);
        }
        List<TimerQueue.Timer<String, String>> rest = new ArrayList<>();
        for (TimerQueue.Timer<String, String> t; (t = q.pollDue(Long.MAX_VALUE)) != null; ) rest.add(t);
        assertThat(rest).containsExactlyInAnyOrderElementsOf(model);
    }
}
