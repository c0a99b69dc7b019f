package org.vecrnn.quant;

import java.util.SplittableRandom;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** Seeded random models for the int8 tests. */
public final class Int8Models {
    private Int8Models() {}

    /** fp32 parameters as PyTorch initializes them: every entry ~ U(-scale/sqrt(d), scale/sqrt(d)). */
    public static ElmanRnn fp32(int n, int d, int k, Output g, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Parameters p = Parameters.zeros(n, d, k);
        double bound = scale / Math.sqrt(d);
        for (float[] t : p.all()) for (int i = 0; i < t.length; i++) t[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        return ElmanRnn.of(n, d, k, g, p);
    }

    /**
     * Raw int8 weights: random bytes in [-127, 127], with every fourth row all 127 or all -127 (the extremes)
     * and every fifth row zero; scales log-uniform over [1e-3, 1e-1].
     */
    public static Int8Weights weights(int rows, int cols, Int8Scheme scheme, SplittableRandom r) {
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int v = switch (i % 5) {
                    case 3 -> (i % 2 == 0) ? 127 : -127;
                    case 4 -> 0;
                    default -> r.nextInt(255) - 127;
                };
                q[i * cols + j] = (byte) v;
            }
        }
        float[] scales = new float[rows * scheme.scalesPerRow(cols)];
        for (int i = 0; i < scales.length; i++) scales[i] = (float) Math.pow(10, -3 + 2 * r.nextDouble());
        return new Int8Weights(rows, cols, scheme, q, scales);
    }

    public static QuantizedRnn int8(int n, int d, int k, Output g, Int8Scheme scheme, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[d], b = new float[k];
        for (int i = 0; i < d; i++) a[i] = (float) (r.nextDouble() - 0.5);
        for (int i = 0; i < k; i++) b[i] = (float) (r.nextDouble() - 0.5);
        return QuantizedRnn.of(n, d, k, g, weights(d, n, scheme, r), weights(d, d, scheme, r), a, weights(k, d, scheme, r), b);
    }
}
