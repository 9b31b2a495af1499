package dev.cairn.batch.internal.worker;

import com.google.protobuf.ByteString;
import dev.cairn.batch.internal.proto.FetchPartitionRequest;
import dev.cairn.batch.internal.proto.ShuffleChunk;
import dev.cairn.batch.internal.proto.ShuffleGrpc;
import dev.cairn.batch.internal.sort.MapOutputFile;
import dev.cairn.rpc.grpc.Rpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Serves partitions of this worker's finished map outputs to reducers, as a stream: a header
 * chunk (length, record count, CRC32C) and then data chunks. Honors the transport's flow
 * control, so a slow reducer holds at most a few chunks of this worker's memory.
 */
final class ShuffleServer extends ShuffleGrpc.ShuffleImplBase {
    static final int CHUNK_BYTES = 256 << 10;

    /** Finds the job's map output directory, or null when this worker holds nothing for the job. */
    private final Function<String, Path> mapOutputDirs;

    private final WorkerMeters meters;

    ShuffleServer(Function<String, Path> mapOutputDirs, WorkerMeters meters) {
        this.meters = meters;
        this.mapOutputDirs = mapOutputDirs;
    }

    @Override
    public void fetchPartition(FetchPartitionRequest req, StreamObserver<ShuffleChunk> observer) {
        ServerCallStreamObserver<ShuffleChunk> call = (ServerCallStreamObserver<ShuffleChunk>) observer;
        Semaphore ready = new Semaphore(0);
        call.setOnReadyHandler(ready::release);
        call.setOnCancelHandler(ready::release);
        // Streaming from this callback would block gRPC's serialized callbacks, onReady included.
        Thread.ofVirtual().name("shuffle-send").start(() -> send(req, call, ready));
    }

    private void send(FetchPartitionRequest req, ServerCallStreamObserver<ShuffleChunk> call, Semaphore ready) {
        try {
            Path dir = mapOutputDirs.apply(req.getJobId());
            String attempt = req.getMapTaskId() + "_" + req.getAttempt();
            if (dir == null)
                throw new NoSuchFileException("no map outputs of job " + req.getJobId() + " on this worker");
            MapOutputFile index = MapOutputFile.read(MapOutputFile.indexPath(dir, attempt));
            if (req.getPartition() < 0 || req.getPartition() >= index.partitions()) {
                throw new IllegalArgumentException("partition " + req.getPartition() + " out of range for " + attempt);
            }
            MapOutputFile.Segment seg = index.segment(req.getPartition());
            call.onNext(ShuffleChunk.newBuilder()
                    .setLength(seg.length())
                    .setRecords(seg.records())
                    .setCrc32C(seg.crc32c())
                    .build());
            try (FileChannel ch = FileChannel.open(index.dataFile(), StandardOpenOption.READ)) {
                ch.position(seg.offset());
                InputStream in = Channels.newInputStream(ch);
                long left = seg.length();
                byte[] buf = new byte[CHUNK_BYTES];
                while (left > 0) {
                    while (!call.isReady()) {
                        if (call.isCancelled()) return;
                        ready.tryAcquire(1, TimeUnit.SECONDS);
                    }
                    int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
                    if (n <= 0)
                        throw new IOException("map output " + index.dataFile() + " is shorter than its index says");
                    call.onNext(ShuffleChunk.newBuilder()
                            .setData(ByteString.copyFrom(buf, 0, n))
                            .build());
                    left -= n;
                    meters.shuffleServed(n);
                }
            }
            call.onCompleted();
        } catch (Exception e) {
            if (!call.isCancelled()) call.onError(Rpc.toStatus(e));
        }
    }
}
