package dev.cairn.batch.internal.sort;

/**
 * In-place introsort over anything addressed by index: quicksort with a three-way
 * (Bentley-McIlroy) partition around a median-of-three (ninther for large ranges) pivot,
 * insertion sort for short ranges, and a heapsort fallback when partitions keep coming out
 * lopsided, so the worst case stays O(n log n) comparisons. The three-way partition sets keys
 * equal to the pivot aside at once, so inputs with many repeated keys (a word count's map output)
 * cost about O(n log d) for d distinct keys. No memory beyond O(log n) stack frames; not stable.
 */
final class QuickSort {
    /** What is sorted: elements compared and swapped by index, plus a remembered pivot value. */
    interface Sortable {
        int compare(int i, int j);

        void swap(int i, int j);

        /** Remembers the value of element i as the pivot; it must survive later swaps. */
        void pivot(int i);

        /** Compares element i with the remembered pivot value. */
        int compareToPivot(int i);
    }

    private static final int INSERTION_SORT_MAX = 12;
    private static final int NINTHER_MIN = 128;

    private QuickSort() {}

    static void sort(Sortable s, int from, int to) {
        int n = to - from;
        if (n < 2) return;
        sort(s, from, to, 2 * (32 - Integer.numberOfLeadingZeros(n)));
    }

    /** With an explicit depth budget; once it is spent the rest of a range is heapsorted. */
    static void sort(Sortable s, int lo, int hi, int depth) {
        while (hi - lo > INSERTION_SORT_MAX) {
            if (depth-- <= 0) {
                heapSort(s, lo, hi);
                return;
            }
            s.pivot(choosePivot(s, lo, hi));
            // Invariant: [lo, a) == pivot, [a, b) < pivot, (c, d] > pivot, (d, hi) == pivot.
            int a = lo, b = lo, c = hi - 1, d = hi - 1;
            while (true) {
                int cmp;
                while (b <= c && (cmp = s.compareToPivot(b)) <= 0) {
                    if (cmp == 0) s.swap(a++, b);
                    b++;
                }
                while (c >= b && (cmp = s.compareToPivot(c)) >= 0) {
                    if (cmp == 0) s.swap(c, d--);
                    c--;
                }
                if (b > c) break;
                s.swap(b++, c--);
            }
            // Move the equal elements from both ends to the middle.
            int n = Math.min(a - lo, b - a);
            swapRanges(s, lo, b - n, n);
            n = Math.min(d - c, hi - 1 - d);
            swapRanges(s, b, hi - n, n);
            int lessEnd = lo + (b - a);
            int greaterStart = hi - (d - c);
            // Recurse into the smaller side to bound the stack; loop on the larger.
            if (lessEnd - lo < hi - greaterStart) {
                sort(s, lo, lessEnd, depth);
                lo = greaterStart;
            } else {
                sort(s, greaterStart, hi, depth);
                hi = lessEnd;
            }
        }
        insertionSort(s, lo, hi);
    }

    private static int choosePivot(Sortable s, int lo, int hi) {
        int n = hi - lo;
        int mid = (lo + hi) >>> 1;
        int last = hi - 1;
        if (n >= NINTHER_MIN) {
            int step = n / 8;
            return median(
                    s,
                    median(s, lo, lo + step, lo + 2 * step),
                    median(s, mid - step, mid, mid + step),
                    median(s, last - 2 * step, last - step, last));
        }
        return median(s, lo, mid, last);
    }

    private static int median(Sortable s, int a, int b, int c) {
        if (s.compare(a, b) < 0) {
            if (s.compare(b, c) < 0) return b;
            return s.compare(a, c) < 0 ? c : a;
        }
        if (s.compare(b, c) > 0) return b;
        return s.compare(a, c) > 0 ? c : a;
    }

    private static void swapRanges(Sortable s, int a, int b, int n) {
        for (int i = 0; i < n; i++) s.swap(a + i, b + i);
    }

    private static void insertionSort(Sortable s, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            for (int j = i; j > lo && s.compare(j - 1, j) > 0; j--) s.swap(j - 1, j);
        }
    }

    static void heapSort(Sortable s, int lo, int hi) {
        int n = hi - lo;
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(s, lo, i, n);
        for (int end = n - 1; end > 0; end--) {
            s.swap(lo, lo + end);
            siftDown(s, lo, 0, end);
        }
    }

    private static void siftDown(Sortable s, int lo, int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) return;
            if (child + 1 < n && s.compare(lo + child, lo + child + 1) < 0) child++;
            if (s.compare(lo + i, lo + child) >= 0) return;
            s.swap(lo + i, lo + child);
            i = child;
        }
    }
}
