package dev.cairn.store.internal.transfer;

import dev.cairn.common.security.TransportSecurity;
import dev.cairn.store.internal.disk.BlockId;
import dev.cairn.store.internal.disk.ChunkAssembler;
import dev.cairn.store.internal.disk.LocalBlockStore;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes one new block to a pipeline of nodes: the data goes to the first, which stores it and
 * forwards it to the second, and so on; {@link #finish} returns what each node made of it.
 *
 * <p>The block is checksummed here, once, chunk by chunk (CRC32C), and every node checks each chunk
 * against that checksum before storing it, so corruption in this process's buffers, on the wire or
 * at a node is caught where it happens. Nothing is buffered beyond one chunk and the socket
 * buffer: when the pipeline is slower than the caller, {@link #write} blocks (TCP flow control).
 *
 * <p>Time bounds: connecting waits at most {@code timeout}; any one write to the first node, and
 * the wait for the ack, at most {@code timeout} times the number of nodes, because each node waits
 * up to {@code timeout} for its own downstream before answering, and an upstream node must not
 * give up on a healthy node that is still waiting for a hung one.
 *
 * <p>The same class forwards blocks between nodes, through the package-private raw-chunk calls:
 * a {@link BlockServer} uses it for the rest of a pipeline and for re-replication.
 *
 * <p>Not thread-safe: one thread writes a block.
 */
public final class BlockPipelineWriter implements AutoCloseable {
    private enum State {
        OPEN,
        ENDED,
        FINISHED,
        FAILED,
        ABORTED
    }

    private final BlockId id;
    private final List<DataAddress> pipeline;
    private final int chunkSize;
    private final Connection conn;
    /** The bound on each write to the first node and on the wait for its ack. */
    private final Duration ackTimeout;
    /** Gathers {@link #write}s into chunks, each sent as it fills. */
    private final ChunkAssembler chunks;
    /** Bytes sent in whole frames. */
    private long sent;
    /** Set once a chunk shorter than {@link #chunkSize} was sent: it must be the last. */
    private boolean shortChunkSent;

    private State state = State.OPEN;
    private IOException failure;

    private BlockPipelineWriter(
            BlockId id, List<DataAddress> pipeline, int chunkSize, Connection conn, Duration ackTimeout) {
        this.id = id;
        this.ackTimeout = ackTimeout;
        this.pipeline = pipeline;
        this.chunkSize = chunkSize;
        this.conn = conn;
        this.chunks = new ChunkAssembler(chunkSize, this::sendChunk);
    }

    /**
     * Connects to the first node and starts the block there; that node connects to the next, and so
     * on, while the caller writes.
     *
     * @param pipeline 1 to 16 distinct nodes, in the order the data flows
     * @param chunkSize bytes per checksummed chunk, which every replica keeps; 1 to 16 MiB
     * @param timeout the bound on each wait for a node, see the class comment
     * @throws IOException naming the first node, if it cannot be reached
     */
    public static BlockPipelineWriter open(BlockId id, List<DataAddress> pipeline, int chunkSize, Duration timeout)
            throws IOException {
        return open(id, pipeline, chunkSize, timeout, TransportSecurity.plain());
    }

    /** {@link #open(BlockId, List, int, Duration)} with {@code security} on every hop of the pipeline. */
    public static BlockPipelineWriter open(
            BlockId id, List<DataAddress> pipeline, int chunkSize, Duration timeout, TransportSecurity security)
            throws IOException {
        return open(id, pipeline, chunkSize, timeout, security, "");
    }

    /**
     * {@link #open(BlockId, List, int, Duration, TransportSecurity)} for the pending write {@code
     * pendingWrite} (its coord znode): a user's write is stored only if that write is theirs and
     * lists the block.
     */
    public static BlockPipelineWriter open(
            BlockId id,
            List<DataAddress> pipeline,
            int chunkSize,
            Duration timeout,
            TransportSecurity security,
            String pendingWrite)
            throws IOException {
        Objects.requireNonNull(id, "id");
        List<DataAddress> nodes = List.copyOf(pipeline);
        if (nodes.isEmpty() || nodes.size() > Wire.MAX_PIPELINE) {
            throw new IllegalArgumentException(
                    "a pipeline has 1 to " + Wire.MAX_PIPELINE + " nodes, got " + nodes.size());
        }
        if (new HashSet<>(nodes).size() != nodes.size())
            throw new IllegalArgumentException("pipeline " + nodes + " names a node twice");
        if (chunkSize < 1 || chunkSize > LocalBlockStore.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException(
                    "chunk size " + chunkSize + " is not in [1, " + LocalBlockStore.MAX_CHUNK_SIZE + "]");
        }
        Connection.millis(timeout);
        Connection c = Connection.connect(nodes.get(0), timeout, security);
        Duration ackTimeout = timeout.multipliedBy(nodes.size());
        try {
            c.setTimeout(ackTimeout);
            new Request.WriteBlock(id, chunkSize, nodes.subList(1, nodes.size()), pendingWrite).write(c.out);
            // Sent now, so the nodes set up the block and the rest of the pipeline while the caller produces data.
            c.out.flush();
        } catch (IOException e) {
            c.close();
            throw new IOException("cannot start " + id + " on node " + nodes.get(0) + ": " + Wire.describe(e), e);
        }
        return new BlockPipelineWriter(id, nodes, chunkSize, c, ackTimeout);
    }

    public BlockId id() {
        return id;
    }

    public List<DataAddress> pipeline() {
        return pipeline;
    }

    /** Bytes written so far, sent or buffered. */
    public long length() {
        return sent + chunks.pending();
    }

    /**
     * Appends {@code len} bytes of {@code b} from {@code off}; whole chunks are sent as they fill.
     *
     * @throws IOException naming the first node, if the connection to it broke or a write to it
     *     timed out; the writer is then failed, and only {@link #abort} or {@link #close} remain
     */
    public void write(byte[] b, int off, int len) throws IOException {
        checkState(State.OPEN);
        chunks.write(b, off, len);
    }

    /**
     * Sends the rest and the end of the block, and waits for the ack. Once the end is sent the
     * nodes finalize the block whatever happens to this writer.
     *
     * @return every node's outcome, in pipeline order
     * @throws IOException if the first node could not be told or did not answer: no outcome is
     *     known then, though some nodes may have stored the block
     */
    public PipelineAck finish() throws IOException {
        endBlock();
        return awaitAck();
    }

    /**
     * Gives up the block: closes the connection, so every node discards what it has. Does nothing
     * once finished; cannot take back a block whose end was already sent.
     */
    public void abort() {
        if (state == State.FINISHED || state == State.ABORTED) return;
        state = State.ABORTED;
        conn.close();
    }

    /** Aborts unless finished, so try-with-resources never leaves a block half-sent. */
    @Override
    public void close() {
        abort();
    }

    /**
     * Sends one chunk as received, with its sender's checksum: for forwarding, where the chunk is
     * already checksummed and must not be recomputed (that would bless corruption).
     *
     * @throws IllegalStateException if {@link #write} left a partial chunk, or a short chunk was sent before
     */
    void writeChunk(byte[] b, int off, int len, int chunkCrc) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkState(State.OPEN);
        if (chunks.pending() != 0)
            throw new IllegalStateException(
                    id + ": a raw chunk needs a chunk boundary, " + chunks.pending() + " bytes are pending");
        if (len < 1 || len > chunkSize)
            throw new IllegalArgumentException(
                    "chunk of " + len + " bytes; chunks of " + id + " have 1 to " + chunkSize);
        sendChunk(b, off, len, chunkCrc);
    }

    /**
     * Sends a partial last chunk and the end marker: from here on the nodes finalize the block
     * whatever happens to this writer. {@link #awaitAck} collects the outcome; in between, the
     * caller may go on to the next block, so that its transfer overlaps this block's fsyncs.
     */
    public void endBlock() throws IOException {
        checkState(State.OPEN);
        chunks.flush();
        try {
            conn.out.writeInt(Wire.END_OF_BLOCK);
            conn.out.flush();
        } catch (IOException e) {
            throw fail("lost node " + pipeline.get(0), e);
        }
        state = State.ENDED;
    }

    /**
     * Waits for the ack to a block whose end was sent, and closes the connection.
     *
     * @throws IOException if the first node did not answer: no outcome is known then, though some
     *     nodes may have stored the block
     */
    public PipelineAck awaitAck() throws IOException {
        checkState(State.ENDED);
        try {
            conn.expectOk("WRITE_BLOCK of " + id, id);
            PipelineAck ack = new PipelineAck(id, PipelineAck.readOutcomes(conn.in, pipeline));
            state = State.FINISHED;
            conn.close();
            return ack;
        } catch (SocketTimeoutException e) {
            throw fail("no ack from node " + pipeline.get(0) + " within " + ackTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw fail("no ack from node " + pipeline.get(0), e);
        }
    }

    private void sendChunk(byte[] b, int off, int len, int chunkCrc) throws IOException {
        if (shortChunkSent) throw new IllegalStateException(id + " ended with a short chunk; nothing may follow it");
        try {
            conn.out.writeInt(len);
            conn.out.writeInt(chunkCrc);
            conn.out.write(b, off, len);
        } catch (IOException e) {
            throw fail("lost node " + pipeline.get(0), e);
        }
        sent += len;
        shortChunkSent = len < chunkSize;
    }

    private IOException fail(String what, IOException cause) {
        state = State.FAILED;
        conn.close();
        failure = new IOException(id + ": " + what + ": " + Wire.describe(cause), cause);
        return failure;
    }

    private void checkState(State expected) throws IOException {
        if (state == expected) return;
        if (state == State.FAILED) throw new IOException(id + ": the pipeline failed before", failure);
        throw new IllegalStateException(id + " is " + state.name().toLowerCase(Locale.ROOT) + ", expected "
                + expected.name().toLowerCase(Locale.ROOT));
    }
}
