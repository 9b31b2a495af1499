package dev.cairn.batch.internal.sort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class QuickSortTest {
    /** An int array seen through the Sortable interface, counting comparisons. */
    static final class Ints implements QuickSort.Sortable {
        final int[] a;
        long comparisons;

        Ints(int[] a) {
            this.a = a;
        }

        @Override
        public int compare(int i, int j) {
            comparisons++;
            return Integer.compare(a[i], a[j]);
        }

        @Override
        public void swap(int i, int j) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }

        int pivot;

        @Override
        public void pivot(int i) {
            pivot = a[i];
        }

        @Override
        public int compareToPivot(int i) {
            comparisons++;
            return Integer.compare(a[i], pivot);
        }
    }

    @Property(tries = 300, seed = "20240611")
    void sortsLikeArraysSort(
            @ForAll("sizes") int n,
            @ForAll @IntRange(min = 1, max = 1_000_000) int distinct,
            @ForAll long seed,
            @ForAll boolean heapOnly) {
        Random r = new Random(seed);
        int[] a = IntStream.range(0, n).map(i -> r.nextInt(distinct)).toArray();
        int[] want = a.clone();
        Arrays.sort(want);
        Ints s = new Ints(a);
        if (heapOnly) QuickSort.sort(s, 0, n, 0);
        else QuickSort.sort(s, 0, n);
        assertThat(a).isEqualTo(want);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> sizes() {
        return net.jqwik.api.Arbitraries.integers().between(0, 3000).edgeCases(c -> c.add(0, 1, 2, 16, 17, 18));
    }

    @Test
    void sortsOnlyTheGivenRange() {
        int[] a = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        QuickSort.sort(new Ints(a), 2, 8);
        assertThat(a).containsExactly(9, 8, 2, 3, 4, 5, 6, 7, 1, 0);
    }

    @Test
    void adversarialInputsStayNearNLogN() {
        int n = 1 << 16;
        long bound = 4L * n * 16;
        int[][] inputs = {
            IntStream.range(0, n).toArray(),
            IntStream.range(0, n).map(i -> n - i).toArray(),
            new int[n],
            IntStream.range(0, n).map(i -> i % 2).toArray(),
            IntStream.range(0, n).map(i -> i < n / 2 ? i : n - i).toArray(),
        };
        for (int[] in : inputs) {
            Ints s = new Ints(in.clone());
            QuickSort.sort(s, 0, n);
            int[] want = in.clone();
            Arrays.sort(want);
            assertThat(s.a).isEqualTo(want);
            assertThat(s.comparisons).as("comparisons").isLessThan(bound);
        }
    }
}
