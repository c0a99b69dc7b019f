package org.vecrnn.kernel;

import java.util.List;
import org.vecrnn.model.Output;

/**
 * The step loop over a batch of sequences with any {@link StepKernel}, or one per layer of a stack:
 * h_t = step(h_{t-1}, x_t) layer after layer, o_t = g(head(h_t)). What {@code forward} runs for an int8 model, and the int8 side of the error report.
 */
public final class KernelForward {
    private KernelForward() {}

    /** h [B,T,d] and o [B,T,k]. */
    public record Result(float[] h, float[] o) {}

    /** x [B,T,n], h0 [B,d] (sizes checked by the caller against the kernel's n and d). */
    public static Result run(StepKernel kernel, Output g, float[] x, int B, int T, float[] h0) {
        return run(List.of(kernel), g, x, B, T, h0);
    }

    /**
     * A stack of one kernel per layer (the last one's head gives o): x [B,T,n], h0 [L,B,d]; h is the last
     * layer's states [B,T,d].
     */
    public static Result run(List<? extends StepKernel> layers, Output g, float[] x, int B, int T, float[] h0) {
        StepKernel first = layers.get(0), top = layers.get(layers.size() - 1);
        int n = first.n(), d = first.d(), k = top.k(), L = layers.size();
        if (x.length != (long) B * T * n || h0.length != (long) L * B * d)
            throw new IllegalArgumentException("x holds " + x.length + " values and h0 " + h0.length + ", expected " + (long) B * T * n + " and " + (long) L * B * d);
        float[] hs = new float[Math.multiplyExact(B * T, d)], os = new float[Math.multiplyExact(B * T, k)];
        float[][] h = new float[L][d], hn = new float[L][d];
        float[] xt = new float[n], z = new float[k];
        for (int s = 0; s < B; s++) {
            for (int l = 0; l < L; l++) System.arraycopy(h0, (l * B + s) * d, h[l], 0, d);
            for (int t = 0; t < T; t++) {
                int at = s * T + t;
                System.arraycopy(x, at * n, xt, 0, n);
                float[] in = xt;
                for (int l = 0; l < L; l++) {
                    layers.get(l).step(h[l], in, hn[l]);
                    in = hn[l];
                }
                top.head(in, z);
                g.apply(z, 0, os, at * k, k);
                System.arraycopy(in, 0, hs, at * d, d);
                float[][] tmp = h;
                h = hn;
                hn = tmp;
            }
        }
        return new Result(hs, os);
    }
}
