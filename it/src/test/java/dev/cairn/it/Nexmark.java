package dev.cairn.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Nexmark events and their exact answers, from {@code shared/bench/NexmarkGen.java} (found above the working directory). */
final class Nexmark {
    private Nexmark() {}

    static void generate(long events, long seed, Path out, Path answers) throws IOException, InterruptedException {
        Path gen = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared/bench/NexmarkGen.java");
            if (Files.isRegularFile(candidate)) {
                gen = candidate;
                break;
            }
        }
        if (gen == null)
            throw new IllegalStateException("shared/bench/NexmarkGen.java not found above "
                    + Path.of("").toAbsolutePath());
        Process p = new ProcessBuilder(List.of(
                        Cli.java().toString(),
                        gen.toString(),
                        "--events",
                        String.valueOf(events),
                        "--seed",
                        String.valueOf(seed),
                        "--out",
                        out.toString(),
                        "--answers",
                        answers.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("NexmarkGen did not finish in 120 s");
        }
        if (p.exitValue() != 0) throw new IllegalStateException("NexmarkGen exited with " + p.exitValue());
    }
}
