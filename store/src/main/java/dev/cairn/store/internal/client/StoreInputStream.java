package dev.cairn.store.internal.client;

import dev.cairn.common.fs.ReadLocality;
import dev.cairn.store.internal.disk.ChecksumException;
import dev.cairn.store.internal.namespace.Inode;
import dev.cairn.store.internal.namespace.NodeRegistry.NodeInfo;
import dev.cairn.store.internal.transfer.BlockFetcher;
import dev.cairn.store.internal.transfer.DataAddress;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a byte range of a closed store file, block by block, from one replica at a time: the
 * local one first, then the others in random order (spreading readers over replicas). Every chunk
 * is checked against its CRC32C as it arrives; a replica that fails the check is reported corrupt
 * (the replication monitor replaces it) and reading goes on from the next replica at the same
 * offset, as does reading after a node that cannot be reached or dies mid-block. Only when every
 * replica of a block has failed does a read fail, naming each replica's error.
 *
 * <p>Which replica served each block is counted ({@link #localBytes}, {@link #remoteBytes}), so
 * jobs can report their locality.
 */
public final class StoreInputStream extends InputStream implements ReadLocality {
    private static final Logger LOG = LoggerFactory.getLogger(StoreInputStream.class);

    private final StoreContext context;
    private final String path;
    private final List<Inode.BlockRef> blocks;
    private final long[] blockStarts;
    private final long end;
    private final byte[] one = new byte[1];
    private long pos;
    private InputStream current;
    private boolean currentLocal;
    /** The node {@link #current} reads from. */
    private String servingNode;

    private int currentBlock = -1;
    private List<String> replicasLeft = List.of();
    private final List<String> failures = new ArrayList<>();
    private Map<String, NodeInfo> live;
    private long localBytes;
    private long remoteBytes;
    private boolean closed;

    public StoreInputStream(StoreContext context, String path, Inode.File file, long offset, long length) {
        this.context = context;
        this.path = path;
        this.blocks = file.blocks();
        this.blockStarts = new long[blocks.size()];
        long start = 0;
        for (int i = 0; i < blocks.size(); i++) {
            blockStarts[i] = start;
            start += blocks.get(i).length();
        }
        if (offset < 0 || offset > file.length())
            throw new IllegalArgumentException(
                    "offset " + offset + " is outside " + path + " (" + file.length() + " bytes)");
        this.pos = offset;
        this.end = length < 0 ? file.length() : Math.min(file.length(), offset + length);
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("the stream reading " + path + " is closed");
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        if (pos >= end) return -1;
        while (true) {
            if (current == null) openAt(pos);
            int want = (int) Math.min(len, end - pos);
            int n;
            try {
                n = current.read(b, off, want);
                if (n < 0) throw new IOException("replica ended early (at " + pos + " of " + path + ")");
            } catch (ChecksumException e) {
                String node = servingNode;
                LOG.warn(
                        "corrupt replica of {} on {} while reading {}: {}",
                        blocks.get(currentBlock).id(),
                        node,
                        path,
                        e.getMessage());
                context.reportCorrupt(blocks.get(currentBlock).id(), node, e.getMessage());
                failures.add(node + ": " + e.getMessage());
                dropCurrent();
                continue;
            } catch (IOException e) {
                failures.add(servingNode + ": " + e.getMessage());
                dropCurrent();
                continue;
            }
            pos += n;
            if (currentLocal) localBytes += n;
            else remoteBytes += n;
            if (pos == blockStarts[currentBlock] + blocks.get(currentBlock).length()) closeCurrent();
            return n;
        }
    }

    private void openAt(long offset) throws IOException {
        int index = blockIndex(offset);
        if (index != currentBlock) {
            currentBlock = index;
            failures.clear();
            replicasLeft = replicaOrder(blocks.get(index).nodes());
        }
        Inode.BlockRef ref = blocks.get(index);
        while (!replicasLeft.isEmpty()) {
            String node = replicasLeft.getFirst();
            replicasLeft = replicasLeft.subList(1, replicasLeft.size());
            NodeInfo info = live().get(node);
            if (info == null) {
                failures.add(node + ": not live");
                continue;
            }
            long within = offset - blockStarts[index];
            try {
                // Only as far as the range goes: a reader that stops at its end leaves no bytes in flight.
                long until = Math.min(ref.length(), end - blockStarts[index]);
                current = BlockFetcher.open(
                        DataAddress.parse(info.dataAddress()),
                        ref.id(),
                        within,
                        until - within,
                        context.timeout(),
                        context.security(),
                        path);
                servingNode = node;
                currentLocal = node.equals(context.localNodeId());
                return;
            } catch (IOException e) {
                failures.add(node + ": " + e.getMessage());
            }
        }
        throw new IOException("cannot read block " + ref.id() + " of " + path + " (offset " + blockStarts[index]
                + "): every replica failed: " + String.join("; ", failures));
    }

    private List<String> replicaOrder(List<String> nodes) {
        List<String> order = new ArrayList<>(nodes);
        Collections.shuffle(order, context.random());
        String local = context.localNodeId();
        if (local != null && order.remove(local)) order.addFirst(local);
        return order;
    }

    private Map<String, NodeInfo> live() throws IOException {
        if (live == null) live = context.liveById();
        return live;
    }

    private int blockIndex(long offset) {
        int i = java.util.Arrays.binarySearch(blockStarts, offset);
        return i >= 0 ? i : -i - 2;
    }

    private void dropCurrent() {
        try {
            if (current != null) current.close();
        } catch (IOException e) {
            LOG.trace("closing a failed replica stream", e);
        }
        current = null;
    }

    private void closeCurrent() throws IOException {
        InputStream c = current;
        current = null;
        if (c != null) c.close();
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) return 0;
        long k = Math.min(n, end - pos);
        long target = pos + k;
        if (current != null
                && (target
                                >= blockStarts[currentBlock]
                                        + blocks.get(currentBlock).length()
                        || k > (1 << 20))) dropCurrent();
        if (current != null) {
            long skipped = current.skip(k);
            pos += skipped;
            return skipped;
        }
        pos = target;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }

    @Override
    public long localBytes() {
        return localBytes;
    }

    @Override
    public long remoteBytes() {
        return remoteBytes;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        closeCurrent();
    }
}
