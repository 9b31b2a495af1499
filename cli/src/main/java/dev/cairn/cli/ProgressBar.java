package dev.cairn.cli;

import dev.cairn.batch.JobStatus;
import dev.cairn.batch.StageStatus;
import java.io.Console;
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

    /**
     * Whether this process runs on a terminal. From JDK 22 on System.console() is not null when the
     * standard streams are redirected too; Console.isTerminal() (JDK 22, hence called reflectively
     * from code built for 21) tells, and on JDK 21 a console exists only on a terminal.
     */
    @SuppressWarnings("SystemConsoleNull") // null is still the answer on JDK 21; isTerminal() covers 22 on
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    void update(JobStatus s, long elapsedMs) {
        int filled = (int) Math.round(s.progress() * WIDTH);
        StringBuilder line = new StringBuilder();
        line.append('[')
                .append("#".repeat(filled))
                .append(" ".repeat(WIDTH - filled))
                .append("] ");
        line.append(String.format("%3d%%", (int) (s.progress() * 100)));
        for (StageStatus st : s.stages()) {
            line.append("  ")
                    .append(st.name())
                    .append(' ')
                    .append(st.done())
                    .append('/')
                    .append(st.total());
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
