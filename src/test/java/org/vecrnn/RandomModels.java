package org.vecrnn;

import java.util.SplittableRandom;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** Seeded random models and inputs for property tests (PyTorch-like init scaled by {@code scale}). */
public final class RandomModels {
    private RandomModels() {}

    public static ElmanRnn model(int n, int d, int k, Output g, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double bound = scale / Math.sqrt(d);
        Parameters p = Parameters.zeros(n, d, k);
        for (float[] a : p.all()) fill(a, r, bound);
        return ElmanRnn.of(n, d, k, g, p);
    }

    public static float[] uniform(int len, double bound, long seed) {
        float[] a = new float[len];
        fill(a, new SplittableRandom(seed), bound);
        return a;
    }

    private static void fill(float[] a, SplittableRandom r, double bound) {
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-bound, bound);
    }
}
