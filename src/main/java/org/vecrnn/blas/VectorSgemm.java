package org.vecrnn.blas;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The pure-Java GEMM for machines without OpenBLAS (Vector API; the only SIMD code outside
 * {@code org.vecrnn.kernel}, as the fallback of this package's interface).
 *
 * <p>op(A) and op(B) are first packed row-major into heap scratch (so transposes and leading dimensions
 * cost one copy, not a slow inner loop), then a 4-row × 2-vector register block runs over k in panels
 * of {@link #KC} rows of B, which stay in the L2 cache. Eight independent accumulators hide the FMA
 * latency. Results agree with {@link ScalarSgemm} within float rounding of a k-term sum.
 */
public final class VectorSgemm implements Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Rows of B per panel: 256 rows × 2 vectors × 64 bytes is 32 KB per column block. */
    static final int KC = 256;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] a = new float[0], b = new float[0], c = new float[0];

        float[] a(int size) { return a.length >= size ? a : (a = new float[size]); }
        float[] b(int size) { return b.length >= size ? b : (b = new float[size]); }
        float[] c(int size) { return c.length >= size ? c : (c = new float[size]); }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        if (!GemmArgs.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) return;
        Scratch s = SCRATCH.get();
        float[] cp = s.c(Math.multiplyExact(m, n));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                cp[i * n + j] = beta == 0 ? 0f : beta * c.getAtIndex(F, cOff + (long) i * ldc + j);
        if (k > 0 && alpha != 0) {
            float[] ap = pack(s.a(Math.multiplyExact(m, k)), a, aOff, lda, m, k, transA);
            float[] bp = pack(s.b(Math.multiplyExact(k, n)), b, bOff, ldb, k, n, transB);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                int i = 0;
                for (; i + 4 <= m; i += 4) rows4(ap, bp, cp, i, m, n, k, p0, p1, alpha);
                for (; i < m; i++) rows1(ap, bp, cp, i, n, k, p0, p1, alpha);
            }
        }
        for (int i = 0; i < m; i++)
            MemorySegment.copy(cp, i * n, c, F, (cOff + (long) i * ldc) * Float.BYTES, n);
    }

    /** op(X) (rows×cols) into dst row-major. */
    private static float[] pack(float[] dst, MemorySegment x, long off, int ld, int rows, int cols, boolean trans) {
        if (!trans) {
            for (int r = 0; r < rows; r++) MemorySegment.copy(x, F, (off + (long) r * ld) * Float.BYTES, dst, r * cols, cols);
        } else {
            // stored as cols×rows: read each stored row once, scatter it into a column
            for (int q = 0; q < cols; q++) {
                long base = off + (long) q * ld;
                for (int r = 0; r < rows; r++) dst[r * cols + q] = x.getAtIndex(F, base + r);
            }
        }
        return dst;
    }

    private static void rows4(float[] ap, float[] bp, float[] cp, int i, int m, int n, int k, int p0, int p1, float alpha) {
        int a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (int j = 0; j < n; j += 2 * L) {
            VectorMask<Float> m0 = S.indexInRange(j, n), m1 = S.indexInRange(j + L, n);
            FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (int p = p0; p < p1; p++) {
                int bo = p * n + j;
                FloatVector b0 = FloatVector.fromArray(S, bp, bo, m0), b1 = FloatVector.fromArray(S, bp, bo + L, m1);
                FloatVector x0 = FloatVector.broadcast(S, ap[a0 + p]);
                c00 = b0.fma(x0, c00);
                c01 = b1.fma(x0, c01);
                FloatVector x1 = FloatVector.broadcast(S, ap[a1 + p]);
                c10 = b0.fma(x1, c10);
                c11 = b1.fma(x1, c11);
                FloatVector x2 = FloatVector.broadcast(S, ap[a2 + p]);
                c20 = b0.fma(x2, c20);
                c21 = b1.fma(x2, c21);
                FloatVector x3 = FloatVector.broadcast(S, ap[a3 + p]);
                c30 = b0.fma(x3, c30);
                c31 = b1.fma(x3, c31);
            }
            add(cp, i * n + j, c00, c01, m0, m1, alpha);
            add(cp, (i + 1) * n + j, c10, c11, m0, m1, alpha);
            add(cp, (i + 2) * n + j, c20, c21, m0, m1, alpha);
            add(cp, (i + 3) * n + j, c30, c31, m0, m1, alpha);
        }
    }

    private static void rows1(float[] ap, float[] bp, float[] cp, int i, int n, int k, int p0, int p1, float alpha) {
        int a0 = i * k;
        for (int j = 0; j < n; j += 2 * L) {
            VectorMask<Float> m0 = S.indexInRange(j, n), m1 = S.indexInRange(j + L, n);
            FloatVector c0 = FloatVector.zero(S), c1 = c0;
            for (int p = p0; p < p1; p++) {
                int bo = p * n + j;
                FloatVector x0 = FloatVector.broadcast(S, ap[a0 + p]);
                c0 = FloatVector.fromArray(S, bp, bo, m0).fma(x0, c0);
                c1 = FloatVector.fromArray(S, bp, bo + L, m1).fma(x0, c1);
            }
            add(cp, i * n + j, c0, c1, m0, m1, alpha);
        }
    }

    private static void add(float[] cp, int off, FloatVector v0, FloatVector v1, VectorMask<Float> m0, VectorMask<Float> m1, float alpha) {
        FloatVector.fromArray(S, cp, off, m0).add(v0.mul(alpha)).intoArray(cp, off, m0);
        FloatVector.fromArray(S, cp, off + L, m1).add(v1.mul(alpha)).intoArray(cp, off + L, m1);
    }

    @Override
    public String describe() {
        return "Java Vector API GEMM (" + S.vectorBitSize() + "-bit)";
    }
}
