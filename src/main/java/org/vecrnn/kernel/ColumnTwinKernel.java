package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * The arithmetic of {@link VectorStepKernel} in plain Java loops: every output gets the same FMAs and adds in
 * the same order (outputs in blocks of 4 or 8 vectors: an even and an odd chain; single vectors: four chains
 * over j mod 4), so the results are the same bits. A freshly loaded model runs this until C2 has compiled the
 * Vector API kernel: in a fresh JVM the Vector API runs its Java fallbacks (milliseconds a step), and C2
 * compiles dozens of them before it reaches the kernel, while these loops over float[] are compiled and
 * auto-vectorized within about 0.2 s. Slower than the compiled Vector API kernel, which keeps its accumulators
 * in registers: here each pass over 8 weight rows loads and stores them once.
 *
 * <p>The loops are written for C2's auto-vectorizer in JDK 25: every array in a loop is indexed by the same
 * c (one array per weight row, the accumulators indexed like the outputs), since a store and a load at
 * different offsets of two float arrays might alias, and C2 then leaves the loop scalar.
 */
final class ColumnTwinKernel implements StepKernel {
    private final int n, d, k;
    /** The outputs below these are in blocks of 4 or 8 vectors (even and odd chains), the rest single vectors. */
    private final int wuSplit, vSplit;
    /** For the outputs in blocks: column j of [W | U] (its first wuSplit values) for j < d + n, column j of V for j < d. */
    private final float[][] wuCols, vCols;
    /** For the single vectors: row i of [W | U] (d + n values) for wuSplit <= i < d, row i of V for vSplit <= i < k. */
    private final float[][] wuRows, vRows;
    private final float[] a, b;
    private final boolean relu;
    private volatile boolean closed;
    /** Per thread: the odd chain of the blocks, so that a call allocates nothing. */
    private static final ThreadLocal<float[]> ODD = ThreadLocal.withInitial(() -> new float[0]);

    /** The twin of the Vector API kernel for vectors of {@code lanes} floats. */
    ColumnTwinKernel(ElmanRnn model, int lanes) {
        Kernels.checkOneLayer(model);
        relu = model.nonlinearity() == Nonlinearity.RELU;
        n = model.n();
        d = model.d();
        k = model.k();
        Parameters p = model.parameters();
        a = p.a();
        b = p.b();
        wuSplit = split(ColumnBlocks.plan(d, lanes, d + n, Float.BYTES), lanes, d);
        vSplit = split(ColumnBlocks.plan(k, lanes, d, Float.BYTES), lanes, k);
        wuCols = columns(p.W(), p.U(), d, wuSplit);
        vCols = columns(p.V(), null, k, vSplit);
        wuRows = rows(p.W(), p.U(), d, wuSplit);
        vRows = rows(p.V(), null, k, vSplit);
    }

    /** The first output of the first single-vector block (blocks of 4 and 8 come first), or rows. */
    static int split(ColumnBlocks blocks, int lanes, int rows) {
        for (int i = 0; i < blocks.size().length; i++) if (blocks.size()[i] == 1) return blocks.first()[i] * lanes;
        return rows;
    }

    /** The columns of [A1 | A2] (rows × (c1 + c2), row-major parts), one array each, cut to their first {@code to} values. */
    private static float[][] columns(float[] A1, float[] A2, int rows, int to) {
        int c1 = A1.length / rows, c2 = A2 == null ? 0 : A2.length / rows;
        float[][] t = new float[c1 + c2][to];
        for (int i = 0; i < to; i++) {
            for (int j = 0; j < c1; j++) t[j][i] = A1[i * c1 + j];
            for (int j = 0; j < c2; j++) t[c1 + j][i] = A2[i * c2 + j];
        }
        return t;
    }

    /** Rows [from, rows) of [A1 | A2], one array each. */
    private static float[][] rows(float[] A1, float[] A2, int rows, int from) {
        int c1 = A1.length / rows, c2 = A2 == null ? 0 : A2.length / rows;
        float[][] t = new float[rows - from][c1 + c2];
        for (int i = from; i < rows; i++) {
            System.arraycopy(A1, i * c1, t[i - from], 0, c1);
            if (A2 != null) System.arraycopy(A2, i * c2, t[i - from], c1, c2);
        }
        return t;
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        open();
        KernelChecks.step(this, h, x, hNext);
        apply(wuCols, wuRows, wuSplit, d, h, x, a, 0, hNext);
        hidden(relu, hNext, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        open();
        KernelChecks.projected(this, h, p, pOff, hNext);
        apply(wuCols, wuRows, wuSplit, d, h, null, p, pOff, hNext);
        hidden(relu, hNext, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        open();
        KernelChecks.head(this, h, z);
        apply(vCols, vRows, vSplit, k, h, null, b, 0, z);
    }

    private void open() {
        if (closed) throw new IllegalStateException("this kernel has been closed");
    }

    /** f over s[0, len) as {@link VectorRelu#hidden} computes it (the rational tanh: {@link Tanh}, the same bits); for both twins. */
    static void hidden(boolean relu, float[] s, int len) {
        if (relu) for (int i = 0; i < len; i++) s[i] = Math.max(s[i], 0f);
        else for (int i = 0; i < len; i++) s[i] = Tanh.tanh(s[i]);
    }

    @Override
    public boolean allFinite(float[] s, int off, int len) {
        return finite(s, off, len);
    }

    /** The twins' finite check: a plain loop, at full speed before the JIT compiled any of the Vector API. */
    static boolean finite(float[] s, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, s.length);
        return ScalarKernelProvider.finite(s, off, len);
    }

    /** out[0, rows) = init[initOff, ...) + M [h; x], M given by its columns C (outputs below split) and rows R (the others). */
    private void apply(float[][] C, float[][] R, int split, int rows, float[] h, float[] x, float[] init, int initOff, float[] out) {
        if (split > 0) {
            // blocks of 4 and 8 vectors (VectorStepKernel.rows8/rows4): the W rows on top of init, the U rows on top of that
            float[] odd = ODD.get();
            if (odd.length < split) ODD.set(odd = new float[Math.max(split, d)]);
            System.arraycopy(init, initOff, out, 0, split);
            evenOdd(C, 0, d, h, out, odd, split);
            if (x != null) evenOdd(C, d, n, x, out, odd, split);
        }
        // single vectors (VectorStepKernel.block1): a dot product each, two outputs at a time
        int xLen = x == null ? 0 : n;
        for (int c = split; c < rows; c += 2)
            dots(R[c - split], R[Math.min(c + 1, rows - 1) - split], h, x, xLen, init, initOff, out, c, c + 1 < rows);
    }

    /**
     * Outputs c (row r) and, when {@code two}, c + 1 (row q) of the single vectors: four chains over j mod 4 through
     * the W rows and on through the U rows (the rows past the last whole 4 into chain 0), (s0 + s1) + (s2 + s3),
     * then init. Two outputs at once, so that 8 FMA chains are in flight.
     */
    private void dots(float[] r, float[] q, float[] h, float[] x, int xLen, float[] init, int initOff, float[] out, int c, boolean two) {
        float r0 = 0, r1 = 0, r2 = 0, r3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int j = 0;
        for (; j + 4 <= d; j += 4) {
            r0 = Math.fma(h[j], r[j], r0);
            r1 = Math.fma(h[j + 1], r[j + 1], r1);
            r2 = Math.fma(h[j + 2], r[j + 2], r2);
            r3 = Math.fma(h[j + 3], r[j + 3], r3);
            q0 = Math.fma(h[j], q[j], q0);
            q1 = Math.fma(h[j + 1], q[j + 1], q1);
            q2 = Math.fma(h[j + 2], q[j + 2], q2);
            q3 = Math.fma(h[j + 3], q[j + 3], q3);
        }
        for (; j < d; j++) {
            r0 = Math.fma(h[j], r[j], r0);
            q0 = Math.fma(h[j], q[j], q0);
        }
        for (j = 0; j + 4 <= xLen; j += 4) {
            r0 = Math.fma(x[j], r[d + j], r0);
            r1 = Math.fma(x[j + 1], r[d + j + 1], r1);
            r2 = Math.fma(x[j + 2], r[d + j + 2], r2);
            r3 = Math.fma(x[j + 3], r[d + j + 3], r3);
            q0 = Math.fma(x[j], q[d + j], q0);
            q1 = Math.fma(x[j + 1], q[d + j + 1], q1);
            q2 = Math.fma(x[j + 2], q[d + j + 2], q2);
            q3 = Math.fma(x[j + 3], q[d + j + 3], q3);
        }
        for (; j < xLen; j++) {
            r0 = Math.fma(x[j], r[d + j], r0);
            q0 = Math.fma(x[j], q[d + j], q0);
        }
        out[c] = (r0 + r1) + (r2 + r3) + init[initOff + c];
        if (two) out[c + 1] = (q0 + q1) + (q2 + q3) + init[initOff + c + 1];
    }

    /** s[0, to) += Σ_j e[j] T[r0 + j]: even j on top of s, odd j in a chain from zero, then s + odd. */
    private static void evenOdd(float[][] T, int r0, int len, float[] e, float[] s, float[] t, int to) {
        java.util.Arrays.fill(t, 0, to, 0f);
        int j = 0;
        for (; j + 8 <= len; j += 8) {
            float[] T0 = T[r0 + j], T1 = T[r0 + j + 1], T2 = T[r0 + j + 2], T3 = T[r0 + j + 3];
            float[] T4 = T[r0 + j + 4], T5 = T[r0 + j + 5], T6 = T[r0 + j + 6], T7 = T[r0 + j + 7];
            float e0 = e[j], e1 = e[j + 1], e2 = e[j + 2], e3 = e[j + 3], e4 = e[j + 4], e5 = e[j + 5], e6 = e[j + 6], e7 = e[j + 7];
            for (int c = 0; c < to; c++) {
                s[c] = Math.fma(e6, T6[c], Math.fma(e4, T4[c], Math.fma(e2, T2[c], Math.fma(e0, T0[c], s[c]))));
                t[c] = Math.fma(e7, T7[c], Math.fma(e5, T5[c], Math.fma(e3, T3[c], Math.fma(e1, T1[c], t[c]))));
            }
        }
        for (; j + 2 <= len; j += 2) {
            float[] T0 = T[r0 + j], T1 = T[r0 + j + 1];
            float e0 = e[j], e1 = e[j + 1];
            for (int c = 0; c < to; c++) {
                s[c] = Math.fma(e0, T0[c], s[c]);
                t[c] = Math.fma(e1, T1[c], t[c]);
            }
        }
        if (j < len) {
            float[] T0 = T[r0 + j];
            float e0 = e[j];
            for (int c = 0; c < to; c++) s[c] = Math.fma(e0, T0[c], s[c]);
        }
        for (int c = 0; c < to; c++) s[c] += t[c];
    }

    @Override
    public long weightBytes() {
        return 4L * ((long) (d + n) * d + (long) d * k + d + k);
    }

    @Override
    public String describe() {
        return "fp32 plain Java twin of the Vector API kernel" + (relu ? " relu" : "");
    }

    @Override
    public void close() {
        closed = true;
    }
}
