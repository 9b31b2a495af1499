/**
 * The store's data transfer protocol: blocks between nodes and clients over plain TCP, beside the
 * gRPC control plane, because bulk data wants a lean path (one copy through a socket buffer, no
 * message framing per chunk beyond 12 bytes, backpressure by TCP flow control).
 *
 * <p>{@link dev.cairn.store.internal.transfer.BlockServer} serves a node's store;
 * {@link dev.cairn.store.internal.transfer.BlockPipelineWriter} writes a block to a pipeline of
 * nodes; {@link dev.cairn.store.internal.transfer.BlockFetcher} reads one back, checking every
 * chunk, and makes the management calls. A block is checksummed once (CRC32C per chunk) where it
 * enters the system; every node that stores it and every reader checks the chunks against that.
 *
 * <h2>Write pipeline</h2>
 *
 * <pre>
 *   client ──chunks──▶ node 1 ──chunks──▶ node 2 ──chunks──▶ node 3
 *          ◀──ack(1,2,3)──    ◀──ack(2,3)──       ◀──ack(3)──
 * </pre>
 *
 * Each node forwards a chunk, then writes it locally (checking it); at the end marker it finishes
 * (fsync), waits for its downstream's ack, and answers with its own outcome followed by the
 * downstream's. The failure rules are in {@code BlockReceiver};
 * the ack's guarantee in {@link dev.cairn.store.internal.transfer.PipelineAck}. A hung peer costs
 * at most the timeout per wait; the wait for an ack grows with the nodes below, so a healthy node
 * is not given up on while it waits for a hung one.
 *
 * <h2>Wire format</h2>
 *
 * Big-endian, {@link java.io.DataOutputStream} encodings; {@code utf} is {@code writeUTF} (2-byte
 * length), an address is {@code utf host, u16 port}, a list of addresses is {@code u8 count} and
 * the addresses.
 *
 * <pre>
 * connection preamble  client: i32 magic 'CXFR', u16 version (2; 1 lacked the utf of requests 1 and 2)
 *                      server: i32 magic, u16 version, u8 status [utf message if not OK]
 *                      (the client sends its first request without waiting for the server's part)
 * reply status         u8: 0 OK, 1 NOT_FOUND, 2 FAILED, 3 BAD_REQUEST (then the server closes);
 *                      every reply starts with one, followed by a utf message unless OK
 *
 * request              u8 opcode, then:
 * 1 WRITE_BLOCK        i64 block, i32 chunkSize, addresses downstream (at most 15), utf pending
 *                      write (its coord znode; "" from a node), then chunk
 *                      frames: i32 length (1..chunkSize; only the last may be short), i32 crc32c,
 *                      bytes; and i32 0 to end the block.
 *                      reply: OK, ack = u8 n, per node in pipeline order u8 0 + i64 length (stored)
 *                      or u8 1 + utf reason (failed)
 * 2 READ_BLOCK         i64 block, i64 offset, i64 length (-1: to the end), utf file (the store
 *                      path the block belongs to; "" from a node)
 *                      reply: OK, i64 block length, i32 chunk size, then per chunk overlapping the
 *                      range i32 index, i32 length, i32 stored crc32c, bytes; then i32 -1; or, in
 *                      place of a chunk the node cannot read, i32 -2 (an I/O error) or -3 (found
 *                      damaged on its disk) and a utf message, which ends the reply
 * 3 DELETE_BLOCKS      i32 n (at most 65536), i64 block * n          reply: OK, i32 deleted
 * 4 LIST_BLOCKS        -                                             reply: OK, i32 n, (i64 block, i64 length) * n
 * 5 STATUS             -                                             reply: OK, i64 free, i64 used, i32 blocks
 * 6 REPLICATE          i64 block, addresses targets (1 to 16)       reply: OK, ack (as WRITE_BLOCK's)
 * </pre>
 *
 * A connection carries requests one after another; the clients here use one per call.
 *
 * <h2>Access</h2>
 *
 * With TLS, a peer with a node certificate may do everything. A user's READ_BLOCK is served only
 * if {@link dev.cairn.store.internal.transfer.BlockAccess} finds the named file lists the block and
 * lets the user read it, a WRITE_BLOCK only for the user's own pending write that lists the block
 * (else FAILED with "permission denied: ..."; a refused write also closes the connection, since its
 * chunks would follow); DELETE_BLOCKS and REPLICATE are refused to users.
 */
package dev.cairn.store.internal.transfer;
