package org.vecrnn.model;

import java.util.Arrays;

/**
 * θ = (U, W, a, V, b) as plain row-major float arrays: what training updates and what gradients look like.
 * Mutable on purpose (an optimizer writes into it); {@link ElmanRnn} copies it into immutable memory.
 */
public record Parameters(float[] U, float[] W, float[] a, float[] V, float[] b) {

    /** The names of θ in the seed, in a fixed order. */
    public static final String[] NAMES = {"U", "W", "a", "V", "b"};

    public static Parameters zeros(int n, int d, int k) {
        return new Parameters(new float[d * n], new float[d * d], new float[d], new float[k * d], new float[k]);
    }

    /** The arrays in the order of {@link #NAMES}. */
    public float[][] all() {
        return new float[][] {U, W, a, V, b};
    }

    public Parameters copy() {
        return new Parameters(U.clone(), W.clone(), a.clone(), V.clone(), b.clone());
    }

    void checkShapes(int n, int d, int k) {
        if (n < 1 || d < 1 || k < 1)
            throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        long[] want = {(long) d * n, (long) d * d, d, (long) k * d, k};
        float[][] got = all();
        for (int i = 0; i < want.length; i++) {
            if (got[i] == null) throw new IllegalArgumentException(NAMES[i] + " is missing");
            if (got[i].length != want[i])
                throw new IllegalArgumentException(NAMES[i] + " has " + got[i].length + " values, expected " + want[i]
                        + " for n=" + n + " d=" + d + " k=" + k);
        }
    }

    void checkFinite() {
        float[][] got = all();
        for (int i = 0; i < got.length; i++)
            for (int j = 0; j < got[i].length; j++)
                if (!Float.isFinite(got[i][j]))
                    throw new IllegalArgumentException(NAMES[i] + " holds a non-finite value (" + got[i][j] + ") at index " + j);
    }

    /** Σ of squares over all arrays, for gradient clipping by global norm. */
    public double squaredNorm() {
        double s = 0;
        for (float[] p : all()) for (float v : p) s += (double) v * v;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters p && Arrays.deepEquals(all(), p.all());
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(all());
    }
}
