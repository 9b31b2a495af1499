package dev.cairn.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The installed distribution: {@code lib/} (the class path) and {@code examples/}. */
final class CairnHome {
    private CairnHome() {}

    static Path get() {
        String prop = System.getProperty("cairn.home");
        if (prop != null) return Path.of(prop);
        try {
            Path jar = Path.of(CairnHome.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(jar)
                    && jar.getParent().getFileName().toString().equals("lib"))
                return jar.getParent().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the message below
        }
        throw new CliException("cannot find the Cairn distribution: run through bin/cairn, or set -Dcairn.home");
    }

    static Path examplesJar() {
        Path jar = get().resolve("examples").resolve("cairn-examples.jar");
        if (!Files.isRegularFile(jar))
            throw new CliException("examples jar missing: " + jar + " (rebuild with bin/cairn)");
        return jar;
    }
}
