/**
 * The stream network: records of exchanges between subtasks on different nodes, over TCP, in
 * batched binary buffers with credit-based flow control (Flink's network stack is the model).
 *
 * <pre>
 *  producer node                                             consumer node
 *  subtask ─▶ RemoteChannelWriter ─▶ OutboundChannel ┐       ┌▶ RemoteInputGate ─▶ subtask
 *  subtask ─▶ RemoteChannelWriter ─▶ OutboundChannel ┼─TCP──▶┤  (queue per channel)
 *              (encode into buffers)  (≤ B queued)   ┘ ◀─────┘  credits, opens, closes
 * </pre>
 *
 * <p>One {@link dev.cairn.dataflow.internal.network.Connection} per (consumer node, producer
 * node) carries every channel between them; the consumer's node dials. A channel, (job, edge,
 * producer subtask, consumer subtask), is opened by its consumer, which grants it credit.
 *
 * <h2>Flow control</h2>
 *
 * A producer sends a data frame (a buffer of records or an event) only against a credit; each
 * credit is a buffer the consumer has set aside for that channel, so the connection's reader
 * never waits for room and one slow channel cannot hold up the others on its connection. A
 * consumer grants each channel {@code B} exclusive buffers and lends a gate's {@code F} floating
 * buffers to channels whose producer reports a backlog; it grants again as its subtask takes
 * frames. A consumer that stops taking stops granting; its producers' queues ({@code B} frames
 * each) fill and the producing subtasks block. With buffer size {@code S}, a node holds at most
 * {@code (B + 1) * S} per outgoing channel and {@code (B * n + F) * S} per consuming subtask
 * with {@code n} remote channels, plus per connection 2 * 64 KiB of stream buffers and one
 * buffer to drop frames of channels closed early into.
 *
 * <h2>Wire format</h2>
 *
 * Big-endian. {@code utf} is {@link java.io.DataOutputStream#writeUTF}. No checksums: TCP's are
 * enough between trusted nodes on one network; a buffer that decodes wrongly still fails with
 * the channel named.
 *
 * <pre>
 * preamble      both sides: i32 magic 'CDNT', u16 version (1), utf node name
 *               (the dialer sends first; the acceptor answers after reading it)
 * frame         i32 length (of what follows: type, channel, body), u8 type, i32 channel, body
 * 1 OPEN        c→p  i64 job, i32 edge, i32 producer, i32 consumer, i32 initial credits
 * 2 CREDIT      c→p  i32 credits (≥ 1)
 * 3 CLOSE       c→p  -                          (the consumer stopped reading early)
 * 4 BUFFER      p→c  i32 backlog, i32 records, bytes (the rest, ≤ S): per record
 *                    varint length, i64 timestamp, value in the edge's codec
 * 5 WATERMARK   p→c  i64 watermark
 * 6 IDLENESS    p→c  u8 0 active, 1 idle
 * 7 BARRIER     p→c  i64 checkpoint id, i64 timestamp
 * 8 END         p→c  -                          (end of partition: nothing follows)
 * 9 ERROR       any  u16 length, UTF-8 message; channel -1 fails the connection, which the
 *                    sender then closes
 * </pre>
 *
 * Frames 4 to 8 are data frames: each takes one credit. A frame length out of range, an unknown
 * type, a size that does not match its type, or a data frame without credit is a protocol error:
 * the receiver sends ERROR on channel -1 and closes the connection, failing every channel on it.
 */
package dev.cairn.dataflow.internal.network;
