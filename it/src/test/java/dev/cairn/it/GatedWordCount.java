package dev.cairn.it;

import dev.cairn.batch.Emitter;
import dev.cairn.batch.JobDefinition;
import dev.cairn.batch.JobSpec;
import dev.cairn.batch.Mapper;
import dev.cairn.batch.TaskContext;
import dev.cairn.common.codec.Codecs;
import dev.cairn.examples.WordCount;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Word count whose mappers wait, before their first record, until a gate file exists:
 * {@code GATE INPUT OUTPUT}. A job that cannot end before the test lets it, so a test can act on
 * a running job without racing its completion. Submitted with {@code --jar} from {@link #jar},
 * which also carries the example word count it counts with.
 */
public final class GatedWordCount implements JobDefinition {
    /** How long a mapper waits for its gate before failing: bounds a test that forgets to open it. */
    private static final long GATE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

    @Override
    public JobSpec define(String[] args) {
        if (args.length != 3) throw new IllegalArgumentException("usage: GATE INPUT OUTPUT");
        return JobSpec.builder("gated-wordcount")
                .input(args[1])
                .output(args[2])
                .mapper(GatedMapper.class)
                .reducer(WordCount.SumReducer.class)
                .mapOutput(Codecs.STRING, Codecs.LONG)
                .param("gate", args[0])
                .build();
    }

    public static final class GatedMapper implements Mapper<Long, String, String, Long> {
        private final WordCount.TokenMapper tokens = new WordCount.TokenMapper();
        private Path gate;
        private boolean open;

        @Override
        public void setup(TaskContext context) {
            gate = Path.of(context.param("gate"));
        }

        @Override
        public void map(Long offset, String line, Emitter<String, Long> out) throws Exception {
            if (!open) {
                long deadline = System.nanoTime() + GATE_TIMEOUT_NANOS;
                while (!Files.exists(gate)) {
                    if (System.nanoTime() - deadline > 0)
                        throw new IllegalStateException("gate " + gate + " never opened");
                    Thread.sleep(20);
                }
                open = true;
            }
            tokens.map(offset, line, out);
        }
    }

    /**
     * A job jar written to {@code dir}: the shipped examples jar ({@code examples}) with this class
     * and its nested classes added.
     */
    static Path jar(Path dir, Path examples) throws IOException {
        Path classes;
        try {
            classes = Path.of(GatedWordCount.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        String pkg = GatedWordCount.class.getPackageName().replace('.', '/');
        List<Path> files;
        try (Stream<Path> s = Files.list(classes.resolve(pkg))) {
            files = s.filter(p -> p.getFileName().toString().startsWith(GatedWordCount.class.getSimpleName()))
                    .toList();
        }
        Path jar = dir.resolve("gated-wordcount.jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                JarFile shipped = new JarFile(examples.toFile())) {
            for (JarEntry e : Collections.list(shipped.entries())) {
                if (e.isDirectory() || e.getName().startsWith("META-INF/")) continue;
                out.putNextEntry(new JarEntry(e.getName()));
                try (InputStream in = shipped.getInputStream(e)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            for (Path f : files) {
                out.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }
}
