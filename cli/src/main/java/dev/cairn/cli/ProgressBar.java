package dev.cairn.cli;

import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import java.io.PrintStream;

/**
 * Draws a job's progress: redrawn in place on a terminal, a line per change otherwise (logs and
 * pipes stay readable).
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private String lastLine = "";

    ProgressBar(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void update(JobStatus s, long elapsedMs) {
        int filled = (int) Math.round(s.progress() * WIDTH);
        StringBuilder line = new StringBuilder();
        line.append('[').append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
        line.append(String.format("%3d%%", (int) (s.progress() * 100)));
        for (StageStatus st : s.stages()) {
            line.append("  ").append(st.name()).append(' ').append(st.done()).append('/').append(st.total());
            if (st.running() > 0) line.append(" (").append(st.running()).append(" running)");
            if (st.failed() > 0) line.append(" [").append(st.failed()).append(" failed]");
        }
        line.append(String.format("  %ds", elapsedMs / 1000));
        String text = line.toString();
        if (terminal) {
            out.print("\r" + text + " ".repeat(Math.max(0, lastLine.length() - text.length())));
            out.flush();
        } else if (!stripTime(text).equals(stripTime(lastLine))) {
            out.println(text);
        }
        lastLine = text;
    }

    void finish() {
        if (terminal && !lastLine.isEmpty()) out.println();
    }

    private static String stripTime(String s) {
        int i = s.lastIndexOf("  ");
        return i < 0 ? s : s.substring(0, i);
    }
}
