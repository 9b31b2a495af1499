package dev.cairn.batch.internal.sort;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * K-way merge of key-sorted record streams by key bytes (unsigned), through a binary min-heap of
 * the inputs. Records with equal keys come out in input order (lower index first), so the merge
 * is stable. It holds no records itself: the current record is the current record of one input,
 * so memory is whatever the inputs buffer. A merge of n records from k inputs costs O(n log k)
 * key comparisons.
 */
public final class Merger {
    private Merger() {}

    /**
     * Merges {@code inputs}, each sorted by key; the result owns them and closes them all when
     * closed. Inputs are advanced lazily: nothing is read before the first {@link
     * RawRecordIterator#next()}.
     */
    public static RawRecordIterator merge(List<? extends RawRecordIterator> inputs) {
        return new Merging(inputs.toArray(RawRecordIterator[]::new));
    }

    private static final class Merging implements RawRecordIterator {
        private final RawRecordIterator[] inputs;
        /** Heap of input indices; heap[0] is the input with the smallest current record. */
        private final int[] heap;

        private int size;
        private boolean started;
        private RawRecordIterator current;

        Merging(RawRecordIterator[] inputs) {
            this.inputs = inputs;
            this.heap = new int[inputs.length];
        }

        @Override
        public boolean next() throws IOException {
            if (!started) {
                started = true;
                for (int i = 0; i < inputs.length; i++) {
                    if (inputs[i].next()) {
                        heap[size] = i;
                        siftUp(size++);
                    }
                }
            } else if (size > 0) {
                // Only the input whose record was handed out last moves; it may sink in the heap.
                if (inputs[heap[0]].next()) {
                    siftDown(0);
                } else {
                    heap[0] = heap[--size];
                    if (size > 0) siftDown(0);
                }
            }
            if (size == 0) {
                current = null;
                return false;
            }
            current = inputs[heap[0]];
            return true;
        }

        /** Input a's record sorts before input b's: smaller key, or the same key from an earlier input. */
        private boolean less(int a, int b) {
            RawRecordIterator x = inputs[a], y = inputs[b];
            int xo = x.keyOffset(), yo = y.keyOffset();
            int c = Arrays.compareUnsigned(x.keyArray(), xo, xo + x.keyLength(), y.keyArray(), yo, yo + y.keyLength());
            return c < 0 || (c == 0 && a < b);
        }

        private void siftUp(int i) {
            int v = heap[i];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!less(v, heap[parent])) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = v;
        }

        private void siftDown(int i) {
            int v = heap[i];
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && less(heap[child + 1], heap[child])) child++;
                if (!less(heap[child], v)) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = v;
        }

        @Override
        public byte[] keyArray() {
            return current.keyArray();
        }

        @Override
        public int keyOffset() {
            return current.keyOffset();
        }

        @Override
        public int keyLength() {
            return current.keyLength();
        }

        @Override
        public byte[] valueArray() {
            return current.valueArray();
        }

        @Override
        public int valueOffset() {
            return current.valueOffset();
        }

        @Override
        public int valueLength() {
            return current.valueLength();
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (RawRecordIterator in : inputs) {
                try {
                    in.close();
                } catch (IOException e) {
                    if (first == null) first = e;
                    else first.addSuppressed(e);
                }
            }
            current = null;
            size = 0;
            if (first != null) throw first;
        }
    }
}
