package dev.cairn.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

/** Looking at a directory tree that a running node changes meanwhile. */
public final class FileWalks {
    private static final int ATTEMPTS = 10;

    private FileWalks() {}

    /**
     * What {@code query} finds among the paths under {@code root}, walking again when a file
     * vanishes under the walk: {@link Files#walk} fails when a file it listed is deleted or renamed
     * before it is visited, and nodes do that (block collection, repair, Raft log segments) while
     * tests wait for exactly that.
     */
    public static <T> T query(Path root, Function<Stream<Path>, T> query) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> paths = Files.walk(root)) {
                return query.apply(paths);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == ATTEMPTS) throw e;
            }
        }
    }
}
