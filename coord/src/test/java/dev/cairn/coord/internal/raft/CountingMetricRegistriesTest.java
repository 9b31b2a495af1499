package dev.cairn.coord.internal.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.junit.jupiter.api.Test;

class CountingMetricRegistriesTest {
    @Test
    void ratisFindsTheCountingRegistriesAndTheirTimersCountAndSum() {
        assertThat(MetricRegistries.global()).isInstanceOf(CountingMetricRegistries.class);

        MetricRegistryInfo info = new MetricRegistryInfo("p", "app", "component", "test");
        RatisMetricRegistry registry = MetricRegistries.global().create(info);
        assertThat(MetricRegistries.global().create(info))
                .as("reference-counted")
                .isSameAs(registry);
        Timekeeper timer = registry.timer("t");
        assertThat(registry.timer("t")).isSameAs(timer);
        timer.time().stop();
        timer.time().stop();
        assertThat(((CountingMetricRegistries.Timer) timer).count.sum()).isEqualTo(2);
        registry.counter("c").inc(3);
        assertThat(registry.counter("c").getCount()).isEqualTo(3);

        MetricRegistries.global().remove(info);
        assertThat(MetricRegistries.global().get(info))
                .as("still referenced once")
                .isPresent();
        MetricRegistries.global().remove(info);
        assertThat(MetricRegistries.global().get(info)).isEmpty();
    }
}
