package org.vecrnn.blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The reference GEMM: three loops with a double accumulator, for tests and as the last fallback. */
public final class ScalarSgemm implements Sgemm {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        if (!GemmArgs.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) return;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = a.getAtIndex(F, aOff + (transA ? (long) p * lda + i : (long) i * lda + p));
                    float bv = b.getAtIndex(F, bOff + (transB ? (long) j * ldb + p : (long) p * ldb + j));
                    s += (double) av * bv;
                }
                long ci = cOff + (long) i * ldc + j;
                double old = beta == 0 ? 0 : (double) beta * c.getAtIndex(F, ci);
                c.setAtIndex(F, ci, (float) (alpha * s + old));
            }
    }

    @Override
    public String describe() {
        return "scalar Java GEMM";
    }
}
