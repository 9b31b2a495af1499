package dev.cairn.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a file of pseudo-random bytes for the store benchmark: the same {@code --bytes} and
 * {@code --seed} always give the same content (a {@link SplittableRandom}'s longs, little-endian),
 * so a run can be repeated on identical data, and the data does not compress (no system under test
 * gains from compression or deduplication it might do).
 *
 * <p>The file appears under its name only once complete (written beside it, then renamed), so a
 * half-written file from an interrupted run is never mistaken for a finished one.
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.cairn.bench.GenBytes --bytes 1g --seed 42 --out data.bin</pre>
 */
@Command(
        name = "GenBytes",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Writes --bytes pseudo-random bytes determined by --seed to --out.")
public final class GenBytes implements Callable<Integer> {
    @Option(
            names = "--bytes",
            required = true,
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "How many bytes, e.g. 1g, 256m, 4096.")
    long bytes;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "File to write (replaced if it exists).")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GenBytes()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path tmp = out.resolveSibling("." + out.getFileName() + ".part");
        write(bytes, seed, tmp);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return 0;
    }

    /** Writes exactly {@code size} bytes of the stream that {@code seed} determines to {@code file}. */
    static void write(long size, long seed, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = size;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= Long.BYTES) buf.putLong(random.nextLong());
                buf.flip();
                if (left < buf.limit()) buf.limit((int) left);
                left -= buf.remaining();
                while (buf.hasRemaining()) ch.write(buf);
            }
        }
    }
}
