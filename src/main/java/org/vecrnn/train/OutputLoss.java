package org.vecrnn.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;

/**
 * The output activation, the per-step loss and its gradient with respect to z, row by row, in the oracle's
 * convention (summed over the k outputs): MSE {@code Σ (g(z) - y)²}; CE with softmax {@code -Σ y log softmax(z)};
 * CE with sigmoid {@code Σ y softplus(-z) + (1-y) softplus(z)}, which is stable for any z. k is small (10-100),
 * so this is scalar code in double precision.
 */
final class OutputLoss {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private OutputLoss() {}

    /** o = g(z) for one row of k values at offsets (floats). */
    static void activate(Output g, int k, MemorySegment z, long zOff, MemorySegment o, long oOff) {
        switch (g) {
            case IDENTITY -> MemorySegment.copy(z, zOff * Float.BYTES, o, oOff * Float.BYTES, (long) k * Float.BYTES);
            case SIGMOID -> {
                for (int i = 0; i < k; i++) o.setAtIndex(F, oOff + i, (float) sigmoid(z.getAtIndex(F, zOff + i)));
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < k; i++) max = Math.max(max, z.getAtIndex(F, zOff + i));
                for (int i = 0; i < k; i++) sum += Math.exp(z.getAtIndex(F, zOff + i) - max);
                for (int i = 0; i < k; i++) o.setAtIndex(F, oOff + i, (float) (Math.exp(z.getAtIndex(F, zOff + i) - max) / sum));
            }
        }
    }

    /**
     * The loss of one row and, when dz is not null, {@code scale · dL/dz} into it. z and o hold the row's
     * pre-activation and activation.
     */
    static double lossAndGradient(Output g, Loss loss, int k, MemorySegment z, MemorySegment o, long off,
                                  MemorySegment y, long yOff, MemorySegment dz, float scale) {
        double sum = 0;
        if (loss == Loss.MSE) {
            double dot = 0;
            for (int i = 0; i < k; i++) {
                double e = o.getAtIndex(F, off + i) - (double) y.getAtIndex(F, yOff + i);
                sum += e * e;
                dot += o.getAtIndex(F, off + i) * 2 * e;
            }
            if (dz != null)
                for (int i = 0; i < k; i++) {
                    double oi = o.getAtIndex(F, off + i), dout = 2 * (oi - y.getAtIndex(F, yOff + i));
                    double d = switch (g) {
                        case IDENTITY -> dout;
                        case SIGMOID -> dout * oi * (1 - oi);
                        case SOFTMAX -> oi * (dout - dot);
                    };
                    dz.setAtIndex(F, off + i, (float) (d * scale));
                }
            return sum;
        }
        if (g == Output.SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY, lse = 0, ysum = 0;
            for (int i = 0; i < k; i++) max = Math.max(max, z.getAtIndex(F, off + i));
            for (int i = 0; i < k; i++) lse += Math.exp(z.getAtIndex(F, off + i) - max);
            lse = max + Math.log(lse);
            for (int i = 0; i < k; i++) {
                double yi = y.getAtIndex(F, yOff + i);
                sum -= yi * (z.getAtIndex(F, off + i) - lse);
                ysum += yi;
            }
            if (dz != null)
                for (int i = 0; i < k; i++)
                    dz.setAtIndex(F, off + i, (float) ((o.getAtIndex(F, off + i) * ysum - y.getAtIndex(F, yOff + i)) * scale));
            return sum;
        }
        for (int i = 0; i < k; i++) {
            double zi = z.getAtIndex(F, off + i), yi = y.getAtIndex(F, yOff + i);
            sum += yi * softplus(-zi) + (1 - yi) * softplus(zi);
            if (dz != null) dz.setAtIndex(F, off + i, (float) ((o.getAtIndex(F, off + i) - yi) * scale));
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
