package dev.cairn.dataflow.internal.network;

import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import dev.cairn.dataflow.internal.runtime.ChannelWriter;
import dev.cairn.dataflow.internal.runtime.InputGate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded sequences of channel events for tests, and the text form in which a consumer's view is
 * compared with them: one line per record ({@code r value@timestamp}), watermark, idleness change
 * and end, whatever the buffers they travelled in.
 */
final class ChannelScripts {
    private ChannelScripts() {}

    /** {@code batches} batches of up to {@code batchSize} strings of 0 to 60 characters, each followed by a watermark; idleness now and then; then the end. */
    static List<ChannelEvent> script(long seed, int batches, int batchSize) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ChannelEvent> events = new ArrayList<>();
        long time = 0;
        long checkpoint = 0;
        for (int b = 0; b < batches; b++) {
            int n = 1 + random.nextInt(batchSize);
            Object[] values = new Object[n];
            long[] timestamps = new long[n];
            for (int i = 0; i < n; i++) {
                StringBuilder s = new StringBuilder();
                int length = random.nextInt(61);
                for (int k = 0; k < length; k++) s.append((char) ('a' + random.nextInt(26)));
                values[i] = s.toString();
                timestamps[i] = time + random.nextInt(100);
            }
            events.add(new ChannelEvent.RecordBatch(0, values, timestamps, n));
            time += 50;
            events.add(new ChannelEvent.Watermark(0, time - 1));
            if (random.nextInt(7) == 0) {
                // Checkpoint barriers travel in band: their place among records and watermarks must hold.
                events.add(new ChannelEvent.Barrier(0, ++checkpoint, time));
            }
            if (random.nextInt(10) == 0) {
                events.add(new ChannelEvent.Idleness(0, true));
                events.add(new ChannelEvent.Idleness(0, false));
            }
        }
        events.add(new ChannelEvent.EndOfPartition(0));
        return events;
    }

    static List<String> lines(List<ChannelEvent> events) {
        List<String> lines = new ArrayList<>();
        for (ChannelEvent e : events) addLines(e, lines);
        return lines;
    }

    static void addLines(ChannelEvent e, List<String> lines) {
        switch (e) {
            case ChannelEvent.RecordBatch b -> {
                for (int i = 0; i < b.size(); i++) lines.add("r " + b.values()[i] + "@" + b.timestamps()[i]);
            }
            case ChannelEvent.Watermark w -> lines.add("w " + w.watermark());
            case ChannelEvent.Idleness i -> lines.add("i " + i.idle());
            case ChannelEvent.Barrier b -> lines.add("b " + b.checkpointId() + "@" + b.timestamp());
            case ChannelEvent.EndOfPartition end -> lines.add("end");
        }
    }

    /** Writes every event of {@code script}; copies the batches, as writers may keep them. */
    static void produce(ChannelWriter writer, List<ChannelEvent> script) throws InterruptedException {
        for (ChannelEvent e : script) writer.put(e);
    }

    /** Reads {@code gate} (one channel) until its end and returns what came, as lines. */
    static List<String> consume(InputGate gate) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        while (true) {
            ChannelEvent e = gate.poll(1_000_000_000L);
            if (e == null) continue;
            addLines(e, lines);
            if (e instanceof ChannelEvent.EndOfPartition) return lines;
        }
    }
}
