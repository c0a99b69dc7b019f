package org.vecrnn.infer;

import org.vecrnn.kernel.BatchKernel;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.Activation;

/**
 * Known sequences through a {@link BatchKernel}, on one thread: sequences in groups of up to
 * {@value #GROUP} (the group's h rows stay in L1/L2 and each W load serves all of them), time in chunks of
 * up to {@value #TIME_CHUNK} steps. Per chunk, {@code U x_t + a} of every step and sequence is one matrix
 * product; then per step the group's recurrence {@code H_t = tanh(H_{t-1} Wᵀ + P_t)} is one product, written
 * into the chunk's rows; then the head {@code Z = H Vᵀ + b} is one product over all the chunk's rows, while
 * they are still in cache (over the whole output h once a group was done, reading it back from L3, the heads
 * took 0.8 to 1.0 ms of a 9 ms batch, per chunk 0.5 to 0.65). With {@link BlasProducts} (OpenBLAS) the
 * projection and the head run there.
 * A runner keeps its scratch, as large as its calls so far needed (about 2.6 MB at n=128, d=256), for its
 * next call, so one thread at a time may use it (InferenceModel keeps idle ones).
 *
 * <p>Groups start at multiples of {@value #GROUP} sequences, and callers that split a batch between threads
 * split it there too: a BLAS may round a row differently depending on how many rows share its product
 * (OpenBLAS 0.3.21 does), so the same groups give the same bits whatever the number of threads. 32 rather
 * than 64: two threads then share the 64-sequence benchmark batch, and the kernel's recurrence runs as
 * fast on 32 rows (4.8 ms for 32 sequences against 9.8 for 64, B=64, T=100, d=256, this machine).
 */
final class BatchRunner {
    static final int GROUP = 32, TIME_CHUNK = 32;

    private final BatchKernel kernel;
    private final BlasProducts blas;
    private final Activation g;
    private final int n, d, k, hs, zs;
    /** Scratch for groupCap sequences and rowCap rows (sequences × steps of one chunk), grown when a call needs more. */
    private float[] xt, p, hc, z, carry;
    private int groupCap, rowCap;

    /** {@code blas} null: the kernel computes every product. */
    BatchRunner(BatchKernel kernel, BlasProducts blas, Activation g) {
        this.kernel = kernel;
        this.blas = blas;
        this.g = g;
        n = kernel.n();
        d = kernel.d();
        k = kernel.k();
        hs = kernel.hStride();
        zs = blas != null ? k : kernel.zStride();
    }

    /** Sequences [from, to) of x [B,T,n] into h [B,T,d] and o [B,T,k]; h0 [B,d] or null. */
    void run(float[] x, int T, float[] h0, float[] h, float[] o, int from, int to) {
        // scratch as large as the calls so far needed (at most a group of 32 sequences × 32 steps), kept
        int groupNeed = Math.min(GROUP, to - from), rowNeed = groupNeed * Math.min(TIME_CHUNK, T);
        if (groupNeed > groupCap || rowNeed > rowCap) {
            groupCap = Math.max(groupNeed, groupCap);
            rowCap = Math.max(rowNeed, rowCap);
            xt = new float[rowCap * n];
            p = new float[rowCap * hs];
            hc = new float[rowCap * hs];
            z = new float[rowCap * zs];
            carry = new float[groupCap * hs];
        }
        float[] xt = this.xt, p = this.p, hc = this.hc, z = this.z, carry = this.carry;
        for (int s0 = from; s0 < to; s0 += GROUP) {
            int G = Math.min(GROUP, to - s0), stepFloats = G * hs;
            java.util.Arrays.fill(carry, 0f);
            if (h0 != null) for (int b = 0; b < G; b++) System.arraycopy(h0, (s0 + b) * d, carry, b * hs, d);
            for (int t0 = 0; t0 < T; t0 += TIME_CHUNK) {
                int tc = Math.min(TIME_CHUNK, T - t0), rows = tc * G;
                // time-major rows (step t, sequence b at row t·G + b), so that the rows of one step are contiguous
                for (int t = 0; t < tc; t++)
                    for (int b = 0; b < G; b++) System.arraycopy(x, ((s0 + b) * T + t0 + t) * n, xt, (t * G + b) * n, n);
                if (blas != null) blas.project(xt, 0, rows, p, 0, hs);
                else kernel.project(xt, 0, rows, p, 0);
                kernel.recur(carry, 0, p, 0, G, hc, 0);
                for (int t = 1; t < tc; t++) kernel.recur(hc, (t - 1) * stepFloats, p, t * stepFloats, G, hc, t * stepFloats);
                System.arraycopy(hc, (tc - 1) * stepFloats, carry, 0, stepFloats);
                if (blas != null) blas.heads(hc, 0, hs, rows, z, 0);
                else kernel.heads(hc, 0, rows, z, 0);
                // the non-finite rule of StreamState: h and z are checked before g, which may hide an overflow
                // (the sigmoid of +inf is 1). The chunk's rows at once (their padding columns are zeros), and
                // row by row only when something is there, to name the first bad value: a check per row took
                // about 6 % of a d = 256 batch
                boolean finite = Kernels.allFinite(hc, 0, rows * hs) && Kernels.allFinite(z, 0, rows * zs);
                for (int t = 0; t < tc; t++)
                    for (int b = 0; b < G; b++) {
                        int r = (s0 + b) * T + t0 + t, q = t * G + b;
                        System.arraycopy(hc, q * hs, h, r * d, d);
                        if (!finite) {
                            Steps.requireFinite("hidden value", hc, q * hs, d, s0 + b, t0 + t);
                            Steps.requireFinite("output", z, q * zs, k, s0 + b, t0 + t);
                        }
                        g.apply(z, q * zs, o, r * k, k);
                    }
            }
        }
    }
}
