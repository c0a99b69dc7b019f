package org.vecrnn.train;

import java.util.Random;

/** Fisher–Yates shuffles from a seed, the one place their formulas live. */
public final class Shuffle {
    private Shuffle() {}

    /**
     * The order of epoch {@code epoch}: from the seed and the epoch number only, so a run resumed from a
     * checkpoint visits the batches an uninterrupted run would.
     */
    public static void epoch(int[] order, long seed, int epoch) {
        shuffle(order, new Random(seed * 1_000_003L + epoch));
    }

    public static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
