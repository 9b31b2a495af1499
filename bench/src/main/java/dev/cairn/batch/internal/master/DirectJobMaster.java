package dev.cairn.batch.internal.master;

import dev.cairn.batch.JobSpec;
import dev.cairn.batch.internal.proto.HeartbeatRequest;
import dev.cairn.batch.internal.proto.HeartbeatResponse;
import dev.cairn.batch.internal.proto.JobStatusProto;
import dev.cairn.batch.internal.proto.RegisterWorkerRequest;
import dev.cairn.common.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;

/**
 * A {@link JobMaster} whose loop is the calling thread, called directly: no RPC, no hand-off to
 * another thread, so a benchmark measures the scheduler's own CPU cost on one thread.
 *
 * <p>It sits in the master's package (on the class path, where packages may span jars) because
 * the calls it makes are package-private: they are the master's internals, not an API. The
 * periodic expiry check is not run; output commits and clean-ups run on the calling thread, and
 * what they hand back to the loop runs at the next {@link #drain}.
 */
public final class DirectJobMaster implements AutoCloseable {
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    private final JobMaster master;

    public DirectJobMaster(MasterSettings settings, Clock clock) {
        Thread owner = Thread.currentThread();
        MasterLoop loop = new MasterLoop() {
            @Override
            public <T> T call(Callable<T> action) throws Exception {
                return action.call();
            }

            @Override
            public void execute(Runnable action) {
                deferred.add(action);
            }

            @Override
            public void scheduleWithFixedDelay(Runnable action, Duration delay) {}

            @Override
            public boolean inLoop() {
                return Thread.currentThread() == owner;
            }

            @Override
            public void shutdown() {}
        };
        master = new JobMaster(settings, clock, Runnable::run, loop);
    }

    public void register(RegisterWorkerRequest req) {
        master.register(req);
    }

    public HeartbeatResponse heartbeat(HeartbeatRequest req) {
        return master.heartbeat(req);
    }

    public JobStatusProto submit(JobSpec spec, byte[] jar, String jarName) throws Exception {
        return master.submit(spec, jar, jarName, "bench");
    }

    public JobStatusProto status(String jobId) {
        return master.status(jobId);
    }

    /** Runs what the master deferred to its loop (a job's end after its commit). */
    public void drain() {
        for (Runnable r; (r = deferred.poll()) != null; ) r.run();
    }

    @Override
    public void close() {
        master.close();
    }
}
