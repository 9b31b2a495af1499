package dev.cairn.bench;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.CollectedResult;
import dev.cairn.dataflow.Dataflow;
import dev.cairn.dataflow.DataflowOptions;
import dev.cairn.dataflow.RuntimeMode;
import dev.cairn.dataflow.Stream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whether a cached partition would be served faster from the worker's heap than from the page
 * cache, against what a cache costs in all. Part one serves a just-written partition file in the
 * shuffle server's 256 KiB chunks (a channel, then a copy per chunk, as {@code ShuffleServer}
 * does) and the same bytes from a heap array. Part two runs {@code count()} of generated 100-byte
 * strings in batch mode in this JVM with and without {@code cache()} before it: the difference is
 * the cache's whole cost (encode, sort, write, fetch, merge, decode).
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.cairn.bench.CacheBench --mb 256 --records 2000000</pre>
 */
@Command(
        name = "CacheBench",
        mixinStandardHelpOptions = true,
        description = "Page cache against heap for serving cached partitions, and the cost of a cache.")
public final class CacheBench implements Callable<Integer> {
    private static final int CHUNK = 256 << 10;

    @Option(names = "--mb", defaultValue = "256", description = "Partition size for part one, MiB.")
    int mb;

    @Option(names = "--records", defaultValue = "2000000", description = "Records for part two.")
    long records;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each measurement.")
    int runs;

    @Option(names = "--dir", defaultValue = "${java.io.tmpdir}", description = "Where the partition file goes.")
    Path dir;

    private long sink;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CacheBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        byte[] data = new byte[mb << 20];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < data.length; i++) data[i] = (byte) random.nextInt(256);
        Path file = Files.createTempFile(dir, "partition", ".out");
        try {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
            }
            for (int run = 0; run < runs; run++) {
                long t0 = System.nanoTime();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    InputStream in = Channels.newInputStream(ch);
                    byte[] buf = new byte[CHUNK];
                    for (long left = data.length; left > 0; ) {
                        int n = in.readNBytes(buf, 0, (int) Math.min(CHUNK, left));
                        sink += Arrays.copyOfRange(buf, 0, n)[n - 1];
                        left -= n;
                    }
                }
                long t1 = System.nanoTime();
                for (int off = 0; off < data.length; off += CHUNK)
                    sink += Arrays.copyOfRange(data, off, Math.min(data.length, off + CHUNK))[0];
                long t2 = System.nanoTime();
                System.out.printf(
                        "serve %d MiB: page cache %.0f MB/s, heap %.0f MB/s%n",
                        mb, (mb << 20) * 1e3 / (t1 - t0), (mb << 20) * 1e3 / (t2 - t1));
            }
        } finally {
            Files.deleteIfExists(file);
        }
        for (int run = 0; run < runs; run++) {
            long plain = count(false);
            long cached = count(true);
            System.out.printf(
                    "count of %d 100-byte strings: %d ms, with cache() %d ms (the cache: %d ms)%n",
                    records, plain, cached, cached - plain);
        }
        return sink == Long.MIN_VALUE ? 1 : 0;
    }

    private long count(boolean cache) {
        Dataflow flow = Dataflow.create(DataflowOptions.defaults().withParallelism(2));
        Stream<String> strings = flow.generateSequence(0, records).map(i -> "%0100d".formatted(i), Codecs.STRING);
        if (cache) strings = strings.cache();
        CollectedResult<Long> count = strings.count().collect();
        long start = System.nanoTime();
        flow.execute(RuntimeMode.BATCH);
        if (!count.get().equals(java.util.List.of(records)))
            throw new IllegalStateException("wrong count " + count.get());
        return (System.nanoTime() - start) / 1_000_000;
    }
}
