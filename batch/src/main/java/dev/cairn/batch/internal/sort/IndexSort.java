package dev.cairn.batch.internal.sort;

/** A stable merge sort of an int array by a comparator on its values, without boxing. */
final class IndexSort {
    @FunctionalInterface
    interface IntComparator {
        int compare(int a, int b);
    }

    private IndexSort() {}

    static void sort(int[] a, IntComparator cmp) {
        if (a.length < 2) return;
        int[] tmp = a.clone();
        sort(tmp, a, 0, a.length, cmp);
    }

    /** Sorts src[lo, hi) into dst[lo, hi); src is scratch. */
    private static void sort(int[] src, int[] dst, int lo, int hi, IntComparator cmp) {
        int n = hi - lo;
        if (n <= 16) {
            for (int i = lo + 1; i < hi; i++) {
                int v = dst[i];
                int j = i - 1;
                while (j >= lo && cmp.compare(dst[j], v) > 0) {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        sort(dst, src, lo, mid, cmp);
        sort(dst, src, mid, hi, cmp);
        if (cmp.compare(src[mid - 1], src[mid]) <= 0) {
            System.arraycopy(src, lo, dst, lo, n);
            return;
        }
        for (int i = lo, p = lo, q = mid; i < hi; i++) {
            if (q >= hi || (p < mid && cmp.compare(src[p], src[q]) <= 0)) dst[i] = src[p++];
            else dst[i] = src[q++];
        }
    }
}
