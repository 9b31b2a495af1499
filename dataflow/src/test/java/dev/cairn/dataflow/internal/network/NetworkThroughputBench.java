package dev.cairn.dataflow.internal.network;

import dev.cairn.common.codec.BytesOut;
import dev.cairn.common.codec.Codecs;
import dev.cairn.common.time.Clock;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One quick throughput measurement of the stream network over loopback, not a unit test: 100-byte
 * records (100 ASCII characters) from producers on one node to consumers on another, over one
 * connection, with the default settings; one channel, then eight. Run it from the module after
 * {@code mvn test-compile}:
 *
 * <pre>
 * java -cp dataflow/target/classes:dataflow/target/test-classes:common/target/classes \
 *     dev.cairn.dataflow.internal.network.NetworkThroughputBench
 * </pre>
 */
public final class NetworkThroughputBench {
    private static final int BATCH = 512;

    private NetworkThroughputBench() {}

    public static void main(String[] args) throws Exception {
        long perChannel = args.length > 0 ? Long.parseLong(args[0]) : 4_000_000;
        char[] chars = new char[100];
        Arrays.fill(chars, 'x');
        String record = new String(chars);
        BytesOut encoded = new BytesOut();
        Codecs.STRING.encode(record, encoded);
        int wireBytes = 1 + 8 + encoded.size(); // length, timestamp, value
        System.out.printf(
                Locale.ROOT,
                "records of 100 characters: %d bytes encoded, %d on the wire; %s%n",
                encoded.size(),
                wireBytes,
                NetworkSettings.defaults());
        run(1, perChannel / 4, record, wireBytes, false); // warm-up
        run(1, perChannel, record, wireBytes, true);
        run(8, perChannel / 4, record, wireBytes, true);
    }

    private static void run(int channels, long records, String record, int wireBytes, boolean print) throws Exception {
        NetworkSettings settings = NetworkSettings.defaults();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (NetworkEndpoint a = NetworkEndpoint.start("a", any, settings, Clock.system());
                NetworkEndpoint b = NetworkEndpoint.start("b", any, settings, Clock.system())) {
            List<Thread> threads = new ArrayList<>();
            AtomicLong received = new AtomicLong();
            Object[] values = new Object[BATCH];
            Arrays.fill(values, record);
            long[] timestamps = new long[BATCH];
            for (int c = 0; c < channels; c++) {
                ChannelId id = new ChannelId(1, 0, c, c);
                RemoteInputGate gate =
                        b.gate("consumer " + c, List.of(new RemoteInputGate.Input(id, a.address(), Codecs.STRING)));
                RemoteChannelWriter writer = a.producer(id, Codecs.STRING);
                threads.add(Thread.ofPlatform().unstarted(() -> {
                    try {
                        for (long sent = 0; sent < records; sent += BATCH)
                            writer.put(new ChannelEvent.RecordBatch(0, values, timestamps, BATCH));
                        writer.put(new ChannelEvent.EndOfPartition(0));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
                threads.add(Thread.ofPlatform().unstarted(() -> {
                    try {
                        long n = 0;
                        while (true) {
                            ChannelEvent e = gate.poll(1_000_000_000L);
                            if (e instanceof ChannelEvent.RecordBatch batch) n += batch.size();
                            if (e instanceof ChannelEvent.EndOfPartition) break;
                        }
                        received.addAndGet(n);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            long start = System.nanoTime();
            for (Thread t : threads) t.start();
            for (Thread t : threads) t.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = received.get();
            if (print)
                System.out.printf(
                        Locale.ROOT,
                        "%d channel(s): %,d records in %.2f s: %,.0f records/s, %.0f MB/s of records (%.0f MB/s on the wire)%n",
                        channels,
                        total,
                        seconds,
                        total / seconds,
                        total * 100 / seconds / 1e6,
                        total * wireBytes / seconds / 1e6);
        }
    }
}
