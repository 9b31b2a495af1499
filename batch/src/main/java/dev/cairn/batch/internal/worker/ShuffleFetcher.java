package dev.cairn.batch.internal.worker;

import dev.cairn.batch.internal.proto.FetchPartitionRequest;
import dev.cairn.batch.internal.proto.MapOutputLocation;
import dev.cairn.batch.internal.proto.ShuffleChunk;
import dev.cairn.batch.internal.proto.ShuffleGrpc;
import dev.cairn.batch.internal.sort.RawRecordIterator;
import dev.cairn.batch.internal.sort.SegmentReader;
import dev.cairn.rpc.grpc.Channels;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.StatusRuntimeException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Fetches one reduce partition from every map output, a few maps at a time. A fetched segment is
 * kept in memory while the task's shuffle memory allows and written to local disk otherwise, so
 * a reduce task's memory stays bounded whatever the data size. Each segment's CRC32C is verified
 * as it arrives; a mismatch is a fetch failure, and the master re-runs that map.
 */
final class ShuffleFetcher {
    /** One map's part of the partition, in memory or on disk. */
    @SuppressWarnings("ArrayRecordComponent") // carries the bytes as they are; nothing compares or hashes it
    record Fetched(String mapAttempt, String endpoint, byte[] data, Path file, long length, long records, int crc) {
        RawRecordIterator open() throws IOException {
            String source = mapAttempt + " from " + endpoint;
            return data != null
                    ? SegmentReader.of(data, 0, data.length, source)
                    : SegmentReader.of(Files.newInputStream(file), length, source);
        }
    }

    private final Channels channels;
    private final WorkerSettings settings;
    private final RunningTask task;
    private final Path scratch;
    private final AtomicLong memoryLeft;
    private final AtomicLong fetchedBytes = new AtomicLong();

    ShuffleFetcher(Channels channels, WorkerSettings settings, RunningTask task, Path scratch) {
        this.channels = channels;
        this.settings = settings;
        this.task = task;
        this.scratch = scratch;
        this.memoryLeft = new AtomicLong(settings.shuffleMemoryBytes());
    }

    /** @throws FetchFailure naming the first map output that could not be fetched */
    List<Fetched> fetchAll(List<MapOutputLocation> maps, int partition) throws Exception {
        Files.createDirectories(scratch);
        Semaphore permits = new Semaphore(Math.max(1, settings.fetchParallelism()));
        List<Future<Fetched>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MapOutputLocation m : maps) {
                futures.add(pool.submit(() -> {
                    permits.acquire();
                    try {
                        return fetch(m, partition);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<Fetched> out = new ArrayList<>();
            int done = 0;
            for (Future<Fetched> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    futures.forEach(x -> x.cancel(true));
                    if (e.getCause() instanceof Exception ex) throw ex;
                    throw e;
                }
                task.progress = 0.5 * ++done / maps.size();
            }
            return out;
        }
    }

    long fetchedBytes() {
        return fetchedBytes.get();
    }

    private boolean reserveMemory(long bytes) {
        long left;
        do {
            left = memoryLeft.get();
            if (bytes > left || bytes > Integer.MAX_VALUE - 16) return false;
        } while (!memoryLeft.compareAndSet(left, left - bytes));
        return true;
    }

    private static void verify(CRC32C crc, ShuffleChunk header, String attempt, String endpoint) throws IOException {
        if ((int) crc.getValue() != header.getCrc32C()) {
            throw new IOException("checksum mismatch in output of " + attempt + " from " + endpoint);
        }
    }

    private Fetched fetch(MapOutputLocation m, int partition) throws Exception {
        String attempt = m.getTaskId() + "_" + m.getAttempt();
        FetchPartitionRequest req = FetchPartitionRequest.newBuilder()
                .setJobId(task.jobId())
                .setMapTaskId(m.getTaskId())
                .setAttempt(m.getAttempt())
                .setPartition(partition)
                .build();
        try {
            Iterator<ShuffleChunk> chunks = ShuffleGrpc.newBlockingStub(channels.get(m.getEndpoint()))
                    .withDeadlineAfter(settings.rpcDeadline().toMillis() * 10, TimeUnit.MILLISECONDS)
                    .fetchPartition(req);
            if (!chunks.hasNext()) throw new IOException("empty shuffle stream");
            ShuffleChunk header = chunks.next();
            long length = header.getLength();
            CRC32C crc = new CRC32C();
            if (reserveMemory(length)) {
                byte[] data = new byte[(int) length];
                int pos = 0;
                while (chunks.hasNext()) {
                    ShuffleChunk c = chunks.next();
                    if (pos + c.getData().size() > length)
                        throw new IOException("shuffle stream longer than its header says");
                    c.getData().copyTo(data, pos);
                    pos += c.getData().size();
                }
                if (pos != length)
                    throw new IOException("shuffle stream ended after " + pos + " of " + length + " bytes");
                crc.update(data, 0, pos);
                verify(crc, header, attempt, m.getEndpoint());
                fetchedBytes.addAndGet(length);
                return new Fetched(
                        attempt, m.getEndpoint(), data, null, length, header.getRecords(), header.getCrc32C());
            }
            // Partition in the name: a coalesced task fetches several partitions of one map output.
            Path file = scratch.resolve(attempt + "-p" + partition + ".seg");
            long pos = 0;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                while (chunks.hasNext()) {
                    ShuffleChunk c = chunks.next();
                    c.getData().writeTo(out);
                    crc.update(c.getData().asReadOnlyByteBuffer());
                    pos += c.getData().size();
                    task.checkCancelled();
                }
            }
            if (pos != length) throw new IOException("shuffle stream ended after " + pos + " of " + length + " bytes");
            verify(crc, header, attempt, m.getEndpoint());
            fetchedBytes.addAndGet(length);
            return new Fetched(attempt, m.getEndpoint(), null, file, length, header.getRecords(), header.getCrc32C());
        } catch (StatusRuntimeException e) {
            throw new FetchFailure(attempt, m.getEndpoint(), Rpc.translate(m.getEndpoint(), "FetchPartition", e));
        } catch (IOException e) {
            throw new FetchFailure(attempt, m.getEndpoint(), e);
        }
    }
}
