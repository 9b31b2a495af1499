package dev.cairn.dataflow.internal.network;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One TCP connection between two nodes, multiplexing every channel whose consumer is on the node
 * that dialed and whose producer is on the node that accepted. Two threads own it: the
 * <em>reader</em> owns the input stream and hands each frame to its channel (it never blocks on
 * a channel: data frames come only against credit, so a gate always has room); the
 * <em>writer</em> owns the output stream and sends, in turn, control frames (opens, credits,
 * closes, errors) and one data frame at a time from each channel that has both a frame and a
 * credit, flushing whenever it runs out of work. Channels are numbered by the consumer when it
 * opens them.
 *
 * <p>Either thread failing (EOF, reset, a malformed frame) fails the connection once: every
 * channel on it fails with an error naming itself and the peer, the peer is told when the
 * connection is still usable enough (a malformed frame), and the socket is closed.
 */
final class Connection {
    private static final Object SHUTDOWN = new Object();
    private static final int STREAM_BUFFER = 64 << 10;

    /** A consumer channel on this connection: its gate and its state there. */
    private record Inbound(RemoteInputGate gate, RemoteInputGate.Channel channel) {}

    private final NetworkEndpoint endpoint;
    private final Socket socket;
    private final String peer;
    private final FrameCodec codec;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final LinkedBlockingQueue<Object> sendQueue = new LinkedBlockingQueue<>();
    private final Map<Integer, Inbound> inbound = new ConcurrentHashMap<>();
    private final Map<Integer, OutboundChannel> outbound = new ConcurrentHashMap<>();
    private final AtomicInteger nextNumber = new AtomicInteger();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final byte[] dropped;
    /** Reader thread: where the buffer being read goes, as looked up when its bytes were placed. */
    private Inbound bufferTarget;

    private Thread reader;
    private Thread writer;

    /** A connection over {@code socket}, whose preambles have been exchanged; {@link #start} it. */
    Connection(
            NetworkEndpoint endpoint, Socket socket, String peer, DataInputStream in, FrameCodec codec, int bufferSize)
            throws IOException {
        this.endpoint = endpoint;
        this.socket = socket;
        this.peer = peer;
        this.codec = codec;
        this.in = in;
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), STREAM_BUFFER));
        this.dropped = new byte[bufferSize];
    }

    static DataInputStream input(Socket socket) throws IOException {
        return new DataInputStream(new BufferedInputStream(socket.getInputStream(), STREAM_BUFFER));
    }

    void start() {
        reader = Thread.ofVirtual().name("cairn-net-read " + peer).unstarted(this::readLoop);
        writer = Thread.ofVirtual().name("cairn-net-write " + peer).unstarted(this::writeLoop);
        writer.start();
        reader.start();
    }

    /** The peer node, for messages: its name and address. */
    String peer() {
        return peer;
    }

    boolean isFailed() {
        return failure.get() != null;
    }

    // ---- consumer side (this node dialed) ----

    /** Opens {@code channel} of {@code gate} on this connection and grants its producer the initial credit. */
    void open(RemoteInputGate gate, RemoteInputGate.Channel channel) {
        int number = nextNumber.getAndIncrement();
        inbound.put(number, new Inbound(gate, channel));
        int credits = gate.open(channel, this, number);
        String failed = failure.get();
        if (failed != null) throw new ChannelException(channel.describe() + ": " + failed, null);
        sendQueue.add(new Frame.Open(number, channel.id, credits));
    }

    void sendCredit(int number, int credits) {
        if (failure.get() == null) sendQueue.add(new Frame.Credit(number, credits));
    }

    /** The consumer is done with channel {@code number} before its end; the producer is told. */
    void closeChannel(int number) {
        if (inbound.remove(number) != null && failure.get() == null) sendQueue.add(new Frame.Close(number));
    }

    // ---- producer side (the peer dialed) ----

    /**
     * Binds the producer's {@code channel} to the number its consumer opened it as, with the
     * consumer's initial credit; called once the consumer has opened it and its producer has
     * registered, whichever came last.
     */
    void bind(int number, OutboundChannel channel, int credits) {
        outbound.put(number, channel);
        channel.bind(this, number, credits);
        // A failure that cleared the map before the put would otherwise miss the channel.
        String failed = failure.get();
        if (failed != null)
            channel.fail(new ChannelException("channel " + channel.id + " to " + peer + ": " + failed, null));
    }

    /** Writer's queue: {@code channel} has a frame and a credit. */
    void schedule(OutboundChannel channel) {
        sendQueue.add(channel);
    }

    // ---- reader ----

    private void readLoop() {
        try {
            while (true) dispatch(codec.read(in, this::segmentFor));
        } catch (ProtocolException e) {
            fail("malformed frame from " + peer + ": " + e.getMessage(), true);
        } catch (EOFException e) {
            fail("connection to " + peer + " closed by the peer", false);
        } catch (IOException e) {
            fail("connection to " + peer + " lost: " + describe(e), false);
        } catch (RuntimeException e) {
            fail("connection to " + peer + " failed: " + describe(e), true);
        }
    }

    private byte[] segmentFor(int number, int length) throws ProtocolException {
        assert Thread.currentThread() == reader;
        bufferTarget = inbound.get(number);
        // Frames of a channel the consumer closed may still be on their way: read and drop them.
        return bufferTarget == null ? dropped : bufferTarget.gate().segmentFor(bufferTarget.channel(), length);
    }

    private void dispatch(Frame frame) throws ProtocolException {
        switch (frame) {
            case Frame.Open(int number, ChannelId id, int credits) -> {
                if (outbound.containsKey(number))
                    throw new ProtocolException("channel number " + number + " opened twice");
                endpoint.opened(id, this, number, credits);
            }
            case Frame.Credit(int number, int credits) -> {
                OutboundChannel channel = outbound.get(number);
                if (channel != null) channel.addCredit(credits);
            }
            case Frame.Close(int number) -> {
                OutboundChannel channel = outbound.remove(number);
                if (channel != null)
                    channel.fail(new ChannelException(
                            "consumer " + peer + " closed channel " + channel.id + " before its end", null));
            }
            case Frame.DataFrame data -> {
                // A buffer goes where its bytes went, even if the consumer closed the channel meanwhile.
                Inbound target = data instanceof Frame.Buffer ? bufferTarget : inbound.get(data.channel());
                bufferTarget = null;
                if (target == null) return; // closed by the consumer; a buffer's bytes went to the scratch array
                target.gate().onFrame(target.channel(), data);
                if (data instanceof Frame.EndOfPartition) inbound.remove(data.channel());
            }
            case Frame.Failure(int number, String message) -> {
                if (number == Frame.NO_CHANNEL) {
                    fail("peer " + peer + " failed the connection: " + message, false);
                    return;
                }
                Inbound target = inbound.remove(number);
                if (target != null)
                    target.gate()
                            .fail(new ChannelException(
                                    target.channel().describe() + " failed at the producer: " + message, null));
                OutboundChannel channel = outbound.remove(number);
                if (channel != null)
                    channel.fail(new ChannelException(
                            "channel " + channel.id + " failed at consumer " + peer + ": " + message, null));
            }
        }
    }

    // ---- writer ----

    private void writeLoop() {
        try {
            while (true) {
                Object item = sendQueue.poll();
                if (item == null) {
                    out.flush();
                    item = sendQueue.take();
                }
                if (item == SHUTDOWN) {
                    out.flush();
                    break;
                }
                if (item instanceof Frame frame) write(frame);
                else sendData((OutboundChannel) item);
            }
        } catch (IOException e) {
            fail("connection to " + peer + " lost: " + describe(e), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSocket();
        }
    }

    private void sendData(OutboundChannel channel) throws IOException {
        OutboundChannel.Send send = channel.pollForSend();
        if (send == null) return;
        try {
            write(send.frame());
        } finally {
            channel.sent(send);
        }
        if (send.frame() instanceof Frame.EndOfPartition end) outbound.remove(end.channel());
        if (send.more()) sendQueue.add(channel);
    }

    private void write(Frame frame) throws IOException {
        assert Thread.currentThread() == writer;
        codec.write(out, frame);
    }

    // ---- failure ----

    /**
     * Fails the connection once: every channel on it fails naming itself and the peer. With
     * {@code tellPeer}, the writer sends the reason before it closes the socket; otherwise the
     * socket closes now.
     */
    void fail(String message, boolean tellPeer) {
        if (!failure.compareAndSet(null, message)) return;
        endpoint.removed(this);
        for (Inbound target : inbound.values())
            target.gate().fail(new ChannelException(target.channel().describe() + ": " + message, null));
        for (OutboundChannel channel : outbound.values())
            channel.fail(new ChannelException("channel " + channel.id + " to " + peer + ": " + message, null));
        inbound.clear();
        outbound.clear();
        if (tellPeer) {
            sendQueue.add(new Frame.Failure(Frame.NO_CHANNEL, message));
            sendQueue.add(SHUTDOWN);
        } else {
            closeSocket();
            sendQueue.add(SHUTDOWN);
        }
    }

    /** Resets the connection without a word to the peer, as a crashed node would. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Closing is what matters.
        }
        closeSocket();
        fail("connection to " + peer + " aborted by this node", false);
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // The socket is released either way.
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank()
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + m;
    }
}
