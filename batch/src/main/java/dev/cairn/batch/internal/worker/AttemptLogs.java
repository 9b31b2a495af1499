package dev.cairn.batch.internal.worker;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a worker logged while it ran each task attempt: the lines written to {@code System.out}
 * and {@code System.err} by the attempt's thread, which holds both the user code's prints and
 * Cairn's own log lines of the attempt (slf4j-simple writes to {@code System.err}).
 *
 * <p>How: once per process, {@code System.out} and {@code System.err} are replaced by streams
 * that write through to the originals and, on a thread running an attempt, also into that
 * attempt's buffer. Bounded: a buffer keeps the last {@link #MAX_LINES} lines, each cut at
 * {@link #MAX_LINE_CHARS}; a worker keeps the buffers of its last {@link #MAX_ATTEMPTS} attempts,
 * in memory only (a restarted worker has none). Lines from other threads (the user code's own,
 * gRPC's) are not kept: a thread made during an attempt may outlive it and serve others.
 */
final class AttemptLogs {
    static final int MAX_LINES = 1000;
    static final int MAX_LINE_CHARS = 2000;
    static final int MAX_ATTEMPTS = 200;

    private static final ThreadLocal<Buffer> CURRENT = new ThreadLocal<>();
    private static boolean installed;

    private final Map<String, Buffer> buffers = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Buffer> eldest) {
            return size() > MAX_ATTEMPTS;
        }
    };

    AttemptLogs() {
        install();
    }

    /** Replaces {@code System.out} and {@code System.err} with their teeing streams, once per process. */
    private static synchronized void install() {
        if (installed) return;
        installed = true;
        System.setOut(tee(System.out));
        System.setErr(tee(System.err));
    }

    private static PrintStream tee(PrintStream original) {
        Charset charset = original.charset();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                Buffer buffer = CURRENT.get();
                if (buffer != null) buffer.append(new byte[] {(byte) b}, 0, 1, charset);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                Buffer buffer = CURRENT.get();
                if (buffer != null) buffer.append(b, off, len, charset);
            }

            @Override
            public void flush() {
                original.flush();
            }
        };
        return new PrintStream(out, true, charset);
    }

    /** Starts keeping what this thread writes as the log of attempt {@code key}, until {@link #stop}. */
    Buffer start(String key) {
        Buffer b = new Buffer();
        synchronized (buffers) {
            buffers.put(key, b);
        }
        CURRENT.set(b);
        return b;
    }

    /** This thread's writes are no attempt's any more. */
    static void stop() {
        CURRENT.remove();
    }

    /** The lines attempt {@code key} logged here, oldest first, or empty if this worker keeps none. */
    Optional<List<String>> lines(String key) {
        Buffer b;
        synchronized (buffers) {
            b = buffers.get(key);
        }
        return b == null ? Optional.empty() : Optional.of(b.lines());
    }

    /** The last lines of one attempt; lines are cut at newlines as the bytes arrive. */
    static final class Buffer {
        private final ArrayDeque<String> lines = new ArrayDeque<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private Charset charset = Charset.defaultCharset();

        synchronized void append(byte[] b, int off, int len, Charset charset) {
            this.charset = charset;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line(partial.toString(charset));
                    partial.reset();
                } else if (partial.size() < MAX_LINE_CHARS * 4) {
                    partial.write(b[i]);
                }
            }
        }

        /** Adds a line of the worker's own about the attempt (how it ended). */
        synchronized void note(String text) {
            text.lines().forEach(this::line);
        }

        private void line(String text) {
            if (lines.size() == MAX_LINES) lines.removeFirst();
            lines.addLast(text.length() > MAX_LINE_CHARS ? text.substring(0, MAX_LINE_CHARS) + "…" : text);
        }

        synchronized List<String> lines() {
            List<String> out = new ArrayList<>(lines);
            if (partial.size() > 0) out.add(partial.toString(charset));
            return out;
        }
    }
}
