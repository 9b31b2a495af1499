package dev.cairn.cli;

import dev.cairn.batch.BatchClient;
import dev.cairn.batch.JobState;
import dev.cairn.batch.JobStatus;
import dev.cairn.rpc.RpcUnavailableException;
import java.io.PrintStream;
import java.util.concurrent.locks.LockSupport;

/** Follows a job until it ends, drawing its progress. */
final class JobWaiter {
    private JobWaiter() {}

    static JobStatus await(BatchClient client, String jobId, PrintStream out) {
        ProgressBar bar = new ProgressBar(out, System.console() != null);
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

    /** Prints the outcome; returns the exit code. */
    static int report(JobStatus s, PrintStream out, PrintStream err) {
        double seconds = (s.finishTimeMs() - s.submitTimeMs()) / 1000.0;
        if (s.state() == JobState.SUCCEEDED) {
            out.printf("%s %s in %.1f s: %,d input records, %,d map output records, %,d shuffle bytes, %,d output records%n",
                    s.jobId(), "succeeded", seconds, s.mapRecordsIn(), s.mapRecordsOut(), s.shuffleBytes(), s.reduceRecordsOut());
            out.println("output: " + s.output());
            return 0;
        }
        err.printf("error: %s %s: %s%n", s.jobId(), s.state().name().toLowerCase(), s.error());
        return 1;
    }
}
