package dev.cairn.batch.internal.sort;

import dev.cairn.common.codec.Bytes;
import java.io.IOException;
import java.util.List;

/**
 * K-way merge of sorted record streams by key bytes (unsigned), through a binary heap. Records
 * with equal keys come out in input order, so the merge is stable. Holds no records itself: the
 * current record is the current record of one input.
 */
public final class Merger {
    private Merger() {}

    public static RawRecordIterator merge(List<? extends RawRecordIterator> inputs) {
        return new Merging(inputs.toArray(RawRecordIterator[]::new));
    }

    private static final class Merging implements RawRecordIterator {
        private final RawRecordIterator[] inputs;
        /** Heap of input indices; heap[0] is the input with the smallest current key. */
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
                // Advance the input whose record was handed out last.
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

        private boolean less(int a, int b) {
            RawRecordIterator x = inputs[a], y = inputs[b];
            int c = Bytes.compare(x.keyArray(), x.keyOffset(), x.keyLength(), y.keyArray(), y.keyOffset(), y.keyLength());
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
                }
            }
            if (first != null) throw first;
        }
    }
}
