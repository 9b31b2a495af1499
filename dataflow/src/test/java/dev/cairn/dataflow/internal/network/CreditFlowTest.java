package dev.cairn.dataflow.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.common.codec.Codecs;
import dev.cairn.dataflow.internal.runtime.ChannelEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Credit-based flow control over one real TCP connection on loopback: many channels share it, a
 * stalled consumer holds back only its own producer, and neither node ever holds more buffers
 * than the configuration allows.
 */
@Timeout(60)
class CreditFlowTest {
    private static final int CHANNELS = 8;
    private static final int BUFFER = 1024;
    private static final int EXCLUSIVE = 2;
    private static final int FLOATING = 2;
    private static final long SEED = 20261207L;

    @Test
    void aStalledConsumerBlocksOnlyItsOwnProducerAndMemoryStaysBounded() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(BUFFER, EXCLUSIVE, FLOATING))) {
            List<List<ChannelEvent>> scripts = new ArrayList<>();
            List<RemoteInputGate> gates = new ArrayList<>();
            List<RemoteChannelWriter> writers = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                ChannelId id = new ChannelId(1, 0, c, c);
                scripts.add(ChannelScripts.script(SEED + c, 300, 40));
                gates.add(nodes.b.gate(
                        "consumer " + c, List.of(new RemoteInputGate.Input(id, nodes.a.address(), Codecs.STRING))));
                writers.add(nodes.a.producer(id, Codecs.STRING));
            }
            assertThat(nodes.b.connectionCount())
                    .as("one connection carries every channel")
                    .isEqualTo(1);

            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> producers = new ArrayList<>();
            for (int c = 0; c < CHANNELS; c++) {
                int channel = c;
                producers.add(start(
                        "producer " + c,
                        failure,
                        () -> ChannelScripts.produce(writers.get(channel), scripts.get(channel))));
            }
            var received = new ConcurrentHashMap<Integer, List<String>>();
            List<Thread> consumers = new ArrayList<>();
            for (int c = 1; c < CHANNELS; c++) { // consumer 0 stalls: it does not read at all yet
                int channel = c;
                consumers.add(start(
                        "consumer " + c,
                        failure,
                        () -> received.put(channel, ChannelScripts.consume(gates.get(channel)))));
            }

            for (Thread t : consumers)
                assertThat(t.join(Duration.ofSeconds(30)))
                        .as(t.getName() + " finished")
                        .isTrue();
            assertThat(failure.get()).isNull();
            for (int c = 1; c < CHANNELS; c++)
                assertThat(received.get(c)).as("channel " + c).isEqualTo(ChannelScripts.lines(scripts.get(c)));

            // Channel 0's producer is blocked: its queue and its consumer's buffers are full.
            RemoteInputGate stalled = gates.get(0);
            TwoNodes.await(
                    "producer 0 blocked and its consumer's exclusive buffers full",
                    Duration.ofSeconds(10),
                    () -> writers.get(0).channel().isBackpressured() && stalled.heldBuffers() >= EXCLUSIVE);
            assertThat(producers.get(0).isAlive()).isTrue();
            for (int c = 1; c < CHANNELS; c++)
                assertThat(producers.get(c).join(Duration.ofSeconds(10))).isTrue();
            assertThat(stalled.heldBuffers()).isBetween(EXCLUSIVE, EXCLUSIVE + FLOATING);
            assertThat(nodes.a.bufferedBytes()).isLessThanOrEqualTo(nodes.settings.producerBytesPerChannel());
            assertThat(nodes.b.bufferedBytes()).isLessThanOrEqualTo(nodes.settings.gateBytes(1));

            Thread consumer0 = start("consumer 0", failure, () -> received.put(0, ChannelScripts.consume(stalled)));
            assertThat(consumer0.join(Duration.ofSeconds(30))).isTrue();
            assertThat(producers.get(0).join(Duration.ofSeconds(10))).isTrue();
            assertThat(failure.get()).isNull();
            assertThat(received.get(0)).isEqualTo(ChannelScripts.lines(scripts.get(0)));

            // The bounds held throughout, on both sides.
            for (RemoteChannelWriter w : writers)
                assertThat(w.channel().peakOccupied()).isLessThanOrEqualTo(EXCLUSIVE);
            for (RemoteInputGate g : gates) assertThat(g.peakHeldBuffers()).isLessThanOrEqualTo(EXCLUSIVE + FLOATING);
            assertThat(nodes.a.peakBufferedBytes())
                    .isLessThanOrEqualTo(CHANNELS * nodes.settings.producerBytesPerChannel());
            assertThat(nodes.b.peakBufferedBytes()).isLessThanOrEqualTo(CHANNELS * nodes.settings.gateBytes(1));
            assertThat(writers.get(0).blockedNanos()).isPositive();
            nodes.assertNoBuffersHeld();
        }
    }

    @Test
    void oneGateReadsManyChannelsEachInOrder() throws Exception {
        try (TwoNodes nodes = new TwoNodes(TwoNodes.settings(BUFFER, 1, 3))) {
            List<RemoteInputGate.Input> inputs = new ArrayList<>();
            List<List<ChannelEvent>> scripts = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int p = 0; p < 4; p++) {
                ChannelId id = new ChannelId(2, 3, p, 0);
                inputs.add(new RemoteInputGate.Input(id, nodes.a.address(), Codecs.STRING));
                scripts.add(ChannelScripts.script(SEED * 31 + p, 200, 60));
            }
            RemoteInputGate gate = nodes.b.gate("consumer", inputs);
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                RemoteChannelWriter w = nodes.a.producer(inputs.get(p).id(), Codecs.STRING);
                List<ChannelEvent> script = scripts.get(p);
                producers.add(start("producer " + p, failure, () -> ChannelScripts.produce(w, script)));
            }
            List<List<String>> perChannel = new ArrayList<>();
            for (int p = 0; p < 4; p++) perChannel.add(new ArrayList<>());
            int ended = 0;
            while (ended < 4) {
                ChannelEvent e = gate.poll(Duration.ofSeconds(10).toNanos());
                assertThat(e).as("an event within 10 s").isNotNull();
                ChannelScripts.addLines(e, perChannel.get(e.channel()));
                if (e instanceof ChannelEvent.EndOfPartition) ended++;
            }
            for (Thread t : producers)
                assertThat(t.join(Duration.ofSeconds(10))).isTrue();
            assertThat(failure.get()).isNull();
            for (int p = 0; p < 4; p++) assertThat(perChannel.get(p)).isEqualTo(ChannelScripts.lines(scripts.get(p)));
            assertThat(gate.peakHeldBuffers()).isLessThanOrEqualTo(4 + 3);
            nodes.assertNoBuffersHeld();
        }
    }

    interface Body {
        void run() throws Exception;
    }

    static Thread start(String name, AtomicReference<Throwable> failure, Body body) {
        return Thread.ofPlatform().name(name).daemon(true).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }
}
