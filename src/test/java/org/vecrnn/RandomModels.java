package org.vecrnn;

import java.util.SplittableRandom;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** Seeded random models and inputs for property tests. */
public final class RandomModels {
    private RandomModels() {}

    /** Weights ~ U(-s, s) with s = scale/sqrt(d), as PyTorch initialises an RNN (scale 1). */
    public static ElmanRnn model(SplittableRandom r, int n, int d, int k, Output g, double scale) {
        double s = scale / Math.sqrt(d);
        Parameters p = new Parameters(uniform(r, d * n, s), uniform(r, d * d, s), uniform(r, d, s), uniform(r, k * d, s), uniform(r, k, s));
        return ElmanRnn.of(n, d, k, g, p);
    }

    /** A stacked model of L layers with nonlinearity f, weights ~ U(-s, s) with s = scale/sqrt(d). */
    public static ElmanRnn stacked(SplittableRandom r, int n, int d, int k, int L, Nonlinearity f, Output g, double scale) {
        double s = scale / Math.sqrt(d);
        Parameters.Layer[] upper = new Parameters.Layer[L - 1];
        Parameters first = new Parameters(uniform(r, d * n, s), uniform(r, d * d, s), uniform(r, d, s), uniform(r, k * d, s), uniform(r, k, s));
        for (int l = 0; l < L - 1; l++) upper[l] = new Parameters.Layer(uniform(r, d * d, s), uniform(r, d * d, s), uniform(r, d, s));
        return ElmanRnn.of(n, d, k, g, f, new Parameters(first.U(), first.W(), first.a(), first.V(), first.b(), upper));
    }

    public static float[] uniform(SplittableRandom r, int len, double s) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * s);
        return v;
    }

    public static float[] normal(SplittableRandom r, int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }

    /** Targets that suit the output: one-hot for softmax, in (0,1) for sigmoid, normal for identity. */
    public static float[] targets(SplittableRandom r, int rows, int k, Output g) {
        float[] y = new float[rows * k];
        for (int row = 0; row < rows; row++)
            for (int i = 0; i < k; i++)
                y[row * k + i] = switch (g) {
                    case SOFTMAX -> 0;
                    case SIGMOID -> (float) r.nextDouble();
                    case IDENTITY -> (float) (r.nextDouble() * 2 - 1);
                };
        if (g == Output.SOFTMAX) for (int row = 0; row < rows; row++) y[row * k + r.nextInt(k)] = 1;
        return y;
    }

    /** A model from a seed alone (PyTorch-like init scaled by {@code scale}). */
    public static ElmanRnn model(int n, int d, int k, Output g, double scale, long seed) {
        return model(new SplittableRandom(seed), n, d, k, g, scale);
    }

    public static float[] uniform(int len, double bound, long seed) {
        return uniform(new SplittableRandom(seed), len, bound);
    }
}
