package org.vecrnn.train;

import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;

/**
 * The output activation, the per-step loss and its gradient with respect to z, row by row, in the oracle's
 * convention (summed over the k outputs): MSE {@code Σ (g(z) - y)²}; CE with softmax {@code -Σ y log softmax(z)};
 * CE with sigmoid {@code Σ y softplus(-z) + (1-y) softplus(z)}, which is stable for any z. k is small (10-100),
 * so this is scalar code in double precision, on heap arrays: the caller moves whole blocks in and out of
 * native memory with one bulk copy, because element access to a segment is slow until the JIT has compiled
 * it, and a short training run (digits: well under a second) lives largely before that.
 */
final class OutputLoss {
    private OutputLoss() {}

    /** o = g(z) for one row of k values at offsets (floats). */
    static void activate(Output g, int k, float[] z, int zOff, float[] o, int oOff) {
        switch (g) {
            case IDENTITY -> System.arraycopy(z, zOff, o, oOff, k);
            case SIGMOID -> {
                for (int i = 0; i < k; i++) o[oOff + i] = (float) sigmoid(z[zOff + i]);
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < k; i++) max = Math.max(max, z[zOff + i]);
                for (int i = 0; i < k; i++) sum += Math.exp(z[zOff + i] - max);
                for (int i = 0; i < k; i++) o[oOff + i] = (float) (Math.exp(z[zOff + i] - max) / sum);
            }
        }
    }

    /**
     * The loss of one row and, when dz is not null, {@code scale · dL/dz} into it. z and o hold the row's
     * pre-activation and activation.
     */
    static double lossAndGradient(Output g, Loss loss, int k, float[] z, float[] o, int off,
                                  float[] y, int yOff, float[] dz, float scale) {
        double sum = 0;
        if (loss == Loss.MSE) {
            double dot = 0;
            for (int i = 0; i < k; i++) {
                double e = o[off + i] - (double) y[yOff + i];
                sum += e * e;
                dot += o[off + i] * 2 * e;
            }
            if (dz != null)
                for (int i = 0; i < k; i++) {
                    double oi = o[off + i], dout = 2 * (oi - y[yOff + i]);
                    double d = switch (g) {
                        case IDENTITY -> dout;
                        case SIGMOID -> dout * oi * (1 - oi);
                        case SOFTMAX -> oi * (dout - dot);
                    };
                    dz[off + i] = (float) (d * scale);
                }
            return sum;
        }
        if (g == Output.SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY, lse = 0, ysum = 0;
            for (int i = 0; i < k; i++) max = Math.max(max, z[off + i]);
            for (int i = 0; i < k; i++) lse += Math.exp(z[off + i] - max);
            lse = max + Math.log(lse);
            for (int i = 0; i < k; i++) {
                double yi = y[yOff + i];
                sum -= yi * (z[off + i] - lse);
                ysum += yi;
            }
            if (dz != null)
                for (int i = 0; i < k; i++)
                    dz[off + i] = (float) ((o[off + i] * ysum - y[yOff + i]) * scale);
            return sum;
        }
        for (int i = 0; i < k; i++) {
            double zi = z[off + i], yi = y[yOff + i];
            sum += yi * softplus(-zi) + (1 - yi) * softplus(zi);
            if (dz != null) dz[off + i] = (float) ((o[off + i] - yi) * scale);
        }
        return sum;
    }

    static double sigmoid(double z) {
        if (z >= 0) return 1 / (1 + Math.exp(-z));
        double e = Math.exp(z);
        return e / (1 + e);
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
