package dev.cairn.batch.internal.master;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a {@link JobMaster}'s state. In a node it is a thread of its own
 * ({@link #ownThread}); a simulation or benchmark supplies one it runs by hand, so that every
 * step of the master happens on the driving thread, in an order the driver chooses.
 */
interface MasterLoop {
    /** Runs {@code action} on the loop and returns its result, rethrowing its exception. */
    <T> T call(Callable<T> action) throws Exception;

    /**
     * Runs {@code action} on the loop later.
     *
     * @throws RejectedExecutionException once the loop is shut down
     */
    void execute(Runnable action);

    /** Runs {@code action} on the loop every {@code delay}, measured from the end of the previous run. */
    void scheduleWithFixedDelay(Runnable action, Duration delay);

    /** Whether the calling thread is the loop. */
    boolean inLoop();

    void shutdown();

    static MasterLoop ownThread(String name) {
        return new ThreadLoop(name);
    }

    /** A daemon thread and its scheduled executor. */
    final class ThreadLoop implements MasterLoop {
        private static final Logger LOG = LoggerFactory.getLogger(ThreadLoop.class);
        private final ScheduledExecutorService executor;
        private volatile Thread thread;

        ThreadLoop(String name) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                thread = t;
                return t;
            });
        }

        @Override
        public <T> T call(Callable<T> action) throws Exception {
            try {
                return executor.submit(action).get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception ex) throw ex;
                throw e;
            }
        }

        @Override
        public void execute(Runnable action) {
            executor.execute(action);
        }

        @Override
        public void scheduleWithFixedDelay(Runnable action, Duration delay) {
            // A scheduled task that throws is never run again: log and go on, so one bad pass
            // does not stop, say, the expiry of silent workers for good.
            Runnable guarded = () -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.error("a periodic task of the job master failed; it runs again in {} ms", delay.toMillis(), e);
                }
            };
            var unused =
                    executor.scheduleWithFixedDelay(guarded, delay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean inLoop() {
            return Thread.currentThread() == thread;
        }

        @Override
        public void shutdown() {
            executor.shutdownNow();
        }
    }
}
