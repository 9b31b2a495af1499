package dev.cairn.coord.internal.raft;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.RefCountingMap;
import org.apache.ratis.util.TimeDuration;

/**
 * The metric registries Ratis records into on a coord member (found by Ratis through
 * {@link java.util.ServiceLoader}): timers only count and add up their durations, and nothing is
 * reported. Ratis' default implementation keeps a decaying-reservoir histogram per timer and
 * updates several on every log entry, append and reply — a few percent of a member's CPU per
 * write, for numbers Cairn publishes nowhere.
 */
public final class CountingMetricRegistries extends MetricRegistries {
    private final RefCountingMap<MetricRegistryInfo, RatisMetricRegistry> registries = new RefCountingMap<>();

    /** Called by {@link java.util.ServiceLoader}. */
    public CountingMetricRegistries() {}

    @Override
    public void clear() {
        registries.clear();
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return registries.put(info, () -> new Registry(info));
    }

    @Override
    public boolean remove(MetricRegistryInfo key) {
        return registries.remove(key) == null;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.ofNullable(registries.get(info));
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Collections.unmodifiableSet(registries.keySet());
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return Collections.unmodifiableCollection(registries.values());
    }

    @Override
    public void addReporterRegistration(
            java.util.function.Consumer<RatisMetricRegistry> start,
            java.util.function.Consumer<RatisMetricRegistry> stop) {}

    @Override
    public void enableJmxReporter() {}

    @Override
    public void enableConsoleReporter(TimeDuration rate) {}

    /**
     * Every Ratis timer of this process as {@code mntr} lines: {@code cairn_raft_<component>_<timer>_count}
     * and {@code ..._avg_us}, the mean since start — where a write's time goes, member by member.
     */
    public static String timerLines() {
        StringBuilder sb = new StringBuilder();
        java.util.TreeMap<String, Timer> timers = new java.util.TreeMap<>();
        for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
            if (!(r instanceof Registry reg)) continue;
            String component = reg.info().getPrefix();
            reg.metrics().forEach((name, m) -> {
                if (m instanceof Timer t) timers.put(component + "_" + name, t);
            });
        }
        timers.forEach((name, t) -> {
            long count = t.count.sum();
            if (count == 0) return;
            String key = "cairn_raft_" + name.replaceAll("[^A-Za-z0-9_]", "_");
            sb.append(key).append("_count\t").append(count).append('\n');
            sb.append(key)
                    .append("_avg_us\t")
                    .append(t.nanos.sum() / count / 1000)
                    .append('\n');
        });
        return sb.toString();
    }

    /** A timer's count and the nanoseconds its timings add up to. */
    public record TimerTotals(long count, long nanos) {}

    /**
     * The totals of Ratis' timer {@code name} in the registry of {@code component} (e.g.
     * {@code log_worker}) of member {@code peerId} of any group; zeros until Ratis made it, or when
     * Ratis does not use these registries.
     */
    public static TimerTotals timer(String peerId, String component, String name) {
        long count = 0;
        long nanos = 0;
        for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
            if (!(r instanceof Registry reg)) continue;
            MetricRegistryInfo info = reg.info();
            if (!component.equals(info.getMetricsComponentName())
                    || !info.getPrefix().startsWith(peerId + "@")) continue;
            if (reg.metrics().get(name) instanceof Timer t) {
                count += t.count.sum();
                nanos += t.nanos.sum();
            }
        }
        return new TimerTotals(count, nanos);
    }

    /** A timer's count and total nanoseconds. */
    static final class Timer implements Timekeeper {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();

        @Override
        public Context time() {
            long start = System.nanoTime();
            return () -> {
                long elapsed = System.nanoTime() - start;
                count.increment();
                nanos.add(elapsed);
                return elapsed;
            };
        }
    }

    static final class Counter implements LongCounter {
        final LongAdder value = new LongAdder();

        @Override
        public void inc(long n) {
            value.add(n);
        }

        @Override
        public void dec(long n) {
            value.add(-n);
        }

        @Override
        public long getCount() {
            return value.sum();
        }
    }

    private record Registry(MetricRegistryInfo info, Map<String, Object> metrics) implements RatisMetricRegistry {
        Registry(MetricRegistryInfo info) {
            this(info, new ConcurrentHashMap<>());
        }

        @Override
        public Timekeeper timer(String name) {
            return (Timekeeper) metrics.computeIfAbsent(name, n -> new Timer());
        }

        @Override
        public LongCounter counter(String name) {
            return (LongCounter) metrics.computeIfAbsent(name, n -> new Counter());
        }

        @Override
        public boolean remove(String name) {
            return metrics.remove(name) != null;
        }

        @Override
        public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
            // Gauges are read only by reporters, and nothing is reported.
        }

        @Override
        public MetricRegistryInfo getMetricRegistryInfo() {
            return info;
        }
    }
}
