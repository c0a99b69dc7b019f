package org.vecrnn.quant;

import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.Output;

/**
 * The step loop over a batch of sequences with any {@link StepKernel}: h_t = step(h_{t-1}, x_t),
 * o_t = g(head(h_t)). What {@code forward} runs for an int8 model, and the int8 side of the error report.
 */
public final class KernelForward {
    private KernelForward() {}

    /** h [B,T,d] and o [B,T,k]. */
    public record Result(float[] h, float[] o) {}

    /** x [B,T,n], h0 [B,d] (sizes checked by the caller against the kernel's n and d). */
    public static Result run(StepKernel kernel, Output g, float[] x, int B, int T, float[] h0) {
        int n = kernel.n(), d = kernel.d(), k = kernel.k();
        if (x.length != (long) B * T * n || h0.length != (long) B * d)
            throw new IllegalArgumentException("x holds " + x.length + " values and h0 " + h0.length + ", expected " + (long) B * T * n + " and " + (long) B * d);
        float[] hs = new float[Math.multiplyExact(B * T, d)], os = new float[Math.multiplyExact(B * T, k)];
        float[] h = new float[d], hn = new float[d], xt = new float[n], z = new float[k];
        for (int s = 0; s < B; s++) {
            System.arraycopy(h0, s * d, h, 0, d);
            for (int t = 0; t < T; t++) {
                int at = s * T + t;
                System.arraycopy(x, at * n, xt, 0, n);
                kernel.step(h, xt, hn);
                kernel.head(hn, z);
                g.apply(z, 0, os, at * k, k);
                System.arraycopy(hn, 0, hs, at * d, d);
                float[] tmp = h;
                h = hn;
                hn = tmp;
            }
        }
        return new Result(hs, os);
    }
}
