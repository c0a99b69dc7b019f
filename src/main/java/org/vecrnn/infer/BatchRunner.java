package org.vecrnn.infer;

import org.vecrnn.kernel.BatchKernel;
import org.vecrnn.kernel.Activation;

/**
 * Known sequences through a {@link BatchKernel}, on one thread: sequences in groups of up to
 * {@value #GROUP} (the group's h rows stay in L1/L2 and each W load serves all of them), time in chunks of
 * up to {@value #TIME_CHUNK} steps. Per chunk, {@code U x_t + a} of every step and sequence is one matrix
 * product; then per step the group's recurrence {@code H_t = tanh(H_{t-1} Wᵀ + P_t)} is one product. The
 * head is one product per step in the kernel, or, with {@link BlasProducts} (OpenBLAS, which then does the
 * projection too), a few over the whole group once its h is written. A runner keeps its scratch, as large as its
 * calls so far needed (at most 1.6 MB at n=128, d=256), for its next call, so one thread at a time may use
 * it (InferenceModel keeps idle ones).
 *
 * <p>Groups start at multiples of {@value #GROUP} sequences, and callers that split a batch between threads
 * split it there too: a BLAS may round a row differently depending on how many rows share its product
 * (OpenBLAS 0.3.21 does), so the same groups give the same bits whatever the number of threads. 32 rather
 * than 64: two threads then share the 64-sequence benchmark batch, and the kernel's recurrence runs as
 * fast on 32 rows (4.8 ms for 32 sequences against 9.8 for 64, B=64, T=100, d=256, this machine).
 */
final class BatchRunner {
    static final int GROUP = 32, TIME_CHUNK = 32;
    /** Rows per head block: the block's o is still in cache when g runs over it. */
    static final int HEAD_ROWS = 1024;

    private final BatchKernel kernel;
    private final BlasProducts blas;
    private final Activation g;
    /** g acts on each value alone (not softmax): a whole block of rows is one call. */
    private final boolean elementwise;
    private final int n, d, k, hs, zs;
    /** Scratch for groupCap sequences and rowCap rows (sequences × steps of one chunk), grown when a call needs more. */
    private float[] xt, p, hA, hB, z;
    private int groupCap, rowCap;

    /** {@code blas} null: the kernel computes every product. */
    BatchRunner(BatchKernel kernel, BlasProducts blas, Activation g, boolean elementwise) {
        this.kernel = kernel;
        this.blas = blas;
        this.elementwise = elementwise;
        this.g = g;
        n = kernel.n();
        d = kernel.d();
        k = kernel.k();
        hs = kernel.hStride();
        zs = kernel.zStride();
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
            hA = new float[groupCap * hs];
            hB = new float[groupCap * hs];
            z = new float[groupCap * zs];
        }
        float[] xt = this.xt, p = this.p, hA = this.hA, hB = this.hB, z = this.z;
        for (int s0 = from; s0 < to; s0 += GROUP) {
            int G = Math.min(GROUP, to - s0);
            java.util.Arrays.fill(hA, 0f);
            if (h0 != null) for (int b = 0; b < G; b++) System.arraycopy(h0, (s0 + b) * d, hA, b * hs, d);
            for (int t0 = 0; t0 < T; t0 += TIME_CHUNK) {
                int tc = Math.min(TIME_CHUNK, T - t0);
                // time-major rows, so that the rows of one step are contiguous for the recurrence
                for (int t = 0; t < tc; t++)
                    for (int b = 0; b < G; b++) System.arraycopy(x, ((s0 + b) * T + t0 + t) * n, xt, (t * G + b) * n, n);
                if (blas != null) blas.project(xt, 0, tc * G, p, 0, hs);
                else kernel.project(xt, 0, tc * G, p, 0);
                for (int t = 0; t < tc; t++) {
                    kernel.recur(hA, 0, p, t * G * hs, G, hB, 0);
                    if (blas == null) kernel.heads(hB, 0, G, z, 0);
                    for (int b = 0; b < G; b++) {
                        int r = (s0 + b) * T + t0 + t;
                        System.arraycopy(hB, b * hs, h, r * d, d);
                        if (blas == null) g.apply(z, b * zs, o, r * k, k);
                    }
                    float[] swap = hA;
                    hA = hB;
                    hB = swap;
                }
            }
            if (blas != null) { // the group's rows of h and o are contiguous: [s0·T, (s0 + G)·T)
                int r0 = s0 * T, rows = G * T;
                for (int r = 0; r < rows; r += HEAD_ROWS) {
                    int m = Math.min(HEAD_ROWS, rows - r);
                    blas.heads(h, (r0 + r) * d, m, o, (r0 + r) * k);
                    if (elementwise) g.apply(o, (r0 + r) * k, o, (r0 + r) * k, m * k);
                    else for (int i = 0; i < m; i++) g.apply(o, (r0 + r + i) * k, o, (r0 + r + i) * k, k);
                }
            }
        }
    }
}
