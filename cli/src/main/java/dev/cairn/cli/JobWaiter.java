package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.rpc.RpcUnavailableException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/** Follows a job until it ends, drawing its progress. */
final class JobWaiter {
    private JobWaiter() {}

    static JobStatus await(BatchClient client, String jobId, PrintStream out) {
        ProgressBar bar = new ProgressBar(out, ProgressBar.onTerminal());
        long start = System.nanoTime();
        int unreachable = 0;
        while (true) {
            JobStatus s;
            try {
                s = client.status(jobId);
                unreachable = 0;
            } catch (RpcUnavailableException e) {
                if (++unreachable > 40) throw e;
                LockSupport.parkNanos(250_000_000L);
                continue;
            }
            bar.update(s, (System.nanoTime() - start) / 1_000_000);
            if (s.state().isTerminal()) {
                bar.finish();
                return s;
            }
            LockSupport.parkNanos(250_000_000L);
        }
    }

    /** Whether the job is a MapReduce job: its stages are map and reduce. */
    static boolean isMapReduce(JobStatus s) {
        return s.stages().size() == 2
                && s.stages().get(0).name().equals("map")
                && s.stages().get(1).name().equals("reduce");
    }

    /** Prints the outcome; returns the exit code. */
    static int report(JobStatus s, PrintStream out, PrintStream err) {
        double seconds = (s.finishTimeMs() - s.submitTimeMs()) / 1000.0;
        if (s.state() == JobState.SUCCEEDED) {
            if (isMapReduce(s)) {
                out.printf(
                        "%s %s in %.1f s: %,d input records, %,d map output records, %,d shuffle bytes, %,d output"
                                + " records%n",
                        s.jobId(),
                        "succeeded",
                        seconds,
                        s.mapRecordsIn(),
                        s.mapRecordsOut(),
                        s.shuffleBytes(),
                        s.reduceRecordsOut());
            } else {
                out.printf(
                        "%s succeeded in %.1f s: %,d input records, %,d shuffle bytes, %,d output records%n",
                        s.jobId(), seconds, s.mapRecordsIn(), s.shuffleBytes(), s.reduceRecordsOut());
                for (dev.cairn.batch.StageStatus st : s.stages())
                    out.printf(
                            "  stage %s: %d tasks, %,d records in, %,d out%s%s%n",
                            st.name(),
                            st.total(),
                            st.recordsIn(),
                            st.recordsOut(),
                            st.bytesOut() > 0 ? ", " + bytes(st.bytesOut()) + " to later stages" : "",
                            st.retried() > 0 ? ", " + st.retried() + " retried" : "");
            }
            for (String d : s.decisions()) out.println("decided " + d);
            String input = inputLine(s);
            if (input != null) out.println(input);
            String counters = countersLine(s);
            if (counters != null) out.println(counters);
            out.println("output: " + s.output());
            return 0;
        }
        err.printf("error: %s %s: %s%n", s.jobId(), s.state().name().toLowerCase(Locale.ROOT), s.error());
        return 1;
    }

    /**
     * How much input the maps read and, when their splits have known locations (store files), how
     * much of it on their own node, e.g. {@code input: 1.0 GiB read, 97% node-local (15 of 16 map
     * tasks ran on a node holding their split)}; null before any was read. Local files have no
     * locations, so no locality is claimed for them.
     */
    static String inputLine(JobStatus s) {
        long total = s.inputBytes();
        if (total == 0) return null;
        StringBuilder line = new StringBuilder("input: ").append(bytes(total)).append(" read");
        if (s.locatedMaps() == 0) return line.toString();
        line.append(", ").append(s.inputLocalBytes() * 100 / total).append("% node-local");
        if (s.dataLocalMaps() > 0) {
            line.append(" (")
                    .append(s.dataLocalMaps())
                    .append(" of ")
                    .append(s.locatedMaps())
                    .append(" tasks reading located splits ran on a node holding theirs)");
        }
        return line.toString();
    }

    /** The user's counters, e.g. {@code counters: join.malformed=3, join.orders=1,200}; null when there are none. */
    static String countersLine(JobStatus s) {
        if (s.userCounters().isEmpty()) return null;
        StringBuilder line = new StringBuilder("counters:");
        String sep = " ";
        for (var e : s.userCounters().entrySet()) {
            line.append(sep).append(e.getKey()).append('=').append(String.format("%,d", e.getValue()));
            sep = ", ";
        }
        return line.toString();
    }

    /** {@code 12 bytes}, {@code 3.4 KiB}, {@code 1.0 GiB}. */
    static String bytes(long n) {
        if (n < 1024) return n + " bytes";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
