package org.vecrnn.kernel;

import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The arithmetic of {@link Int8VectorKernel} in plain Java loops, the same bits: outputs in blocks of 4 or 8
 * vectors take, per scale group, one chain of FMAs of {@code q·2^24} (the kernel's decoded lanes, exact) from
 * zero, then {@code acc = fma(chain · 2^-24, scale, acc)}; single vectors take four chains over j mod 4 of
 * the plain q, summed {@code (p0 + p1) + (p2 + p3)}, then {@code fma(sum, scale, acc)}. What a freshly loaded
 * int8 model runs until C2 has compiled the Vector API kernel ({@link ColumnTwinKernel} says why), with the
 * same one-index loops for C2's auto-vectorizer. It holds the weights as floats ({@code q·2^24} in the columns,
 * {@code q} in the rows: exact), four times their bytes, for the seconds until the hand-over: JDK 25's
 * auto-vectorizer leaves a pass over 8 byte columns scalar and converts 4 of them slowly, and a step at d = 256
 * took 10.3 µs on bytes against 6.7-6.9 µs on floats in passes of 8 (2-core AMD EPYC Zen 4, 2026-12-05).
 */
final class Int8ColumnTwinKernel implements StepKernel {
    private static final float SHIFT = 0x1p24f, UNSHIFT = 0x1p-24f;
    private final int n, d, k;
    /** For the outputs in blocks of 4 or 8 vectors: column j of [Wq | Uq] · 2^24 (its first wuSplit values), column j of Vq · 2^24. */
    private final float[][] wuCols, vCols;
    /** For the single vectors: row i of [Wq | Uq] for wuSplit <= i < d, row i of Vq for vSplit <= i < k. */
    private final float[][] wuRows, vRows;
    /** Scale group g: columns [from[g], to[g]) of h (g below hGroups) or of x; its scale of output c is scales[g][c]. */
    private final Groups wuGroups, vGroups;
    private final float[] a, b;
    private final int wuSplit, vSplit;
    private final boolean relu;
    private volatile boolean closed;
    /** Per thread: the chains of the blocks' outputs, so that a call allocates nothing. */
    private static final ThreadLocal<float[]> CHAIN = ThreadLocal.withInitial(() -> new float[0]);

    private record Groups(int[] from, int[] to, int hGroups, float[][] scales) {}

    /** The twin of the Vector API kernel for vectors of {@code lanes} floats; copies what it needs (the model may close). */
    Int8ColumnTwinKernel(QuantizedRnn model, int lanes) {
        if (model.layers() != 1) throw new IllegalArgumentException("an int8 kernel computes one layer, and this model has " + model.layers());
        relu = model.nonlinearity() == Nonlinearity.RELU;
        n = model.n();
        d = model.d();
        k = model.k();
        wuSplit = ColumnTwinKernel.split(ColumnBlocks.plan(d, lanes, d + n, Byte.BYTES), lanes, d);
        vSplit = ColumnTwinKernel.split(ColumnBlocks.plan(k, lanes, d, Byte.BYTES), lanes, k);
        wuCols = columns(model.W(), model.U(), wuSplit);
        vCols = columns(model.V(), null, vSplit);
        wuRows = rows(model.W(), model.U(), wuSplit);
        vRows = rows(model.V(), null, vSplit);
        wuGroups = groups(model.W(), model.U());
        vGroups = groups(model.V(), null);
        a = model.aValues();
        b = model.bValues();
    }

    /** The columns of [M1 | M2], one array each, cut to their first {@code to} values. */
    private static float[][] columns(Int8Matrix m1, Int8Matrix m2, int to) {
        int c1 = m1.cols(), c2 = m2 == null ? 0 : m2.cols();
        float[][] t = new float[c1 + c2][to];
        for (int i = 0; i < to; i++) {
            for (int j = 0; j < c1; j++) t[j][i] = m1.q().get(ValueLayout.JAVA_BYTE, (long) i * c1 + j) * SHIFT;
            for (int j = 0; j < c2; j++) t[c1 + j][i] = m2.q().get(ValueLayout.JAVA_BYTE, (long) i * c2 + j) * SHIFT;
        }
        return t;
    }

    /** Rows [from, rows) of [M1 | M2], one array each. */
    private static float[][] rows(Int8Matrix m1, Int8Matrix m2, int from) {
        int rows = m1.rows(), c1 = m1.cols(), c2 = m2 == null ? 0 : m2.cols();
        float[][] t = new float[rows - from][c1 + c2];
        for (int i = from; i < rows; i++) {
            for (int j = 0; j < c1; j++) t[i - from][j] = m1.q().get(ValueLayout.JAVA_BYTE, (long) i * c1 + j);
            for (int j = 0; j < c2; j++) t[i - from][c1 + j] = m2.q().get(ValueLayout.JAVA_BYTE, (long) i * c2 + j);
        }
        return t;
    }

    private static Groups groups(Int8Matrix m1, Int8Matrix m2) {
        int g1 = m1.scalesPerRow(), g2 = m2 == null ? 0 : m2.scalesPerRow(), rows = m1.rows();
        int[] from = new int[g1 + g2], to = new int[g1 + g2];
        float[][] s = new float[g1 + g2][rows];
        for (int g = 0; g < g1 + g2; g++) {
            Int8Matrix m = g < g1 ? m1 : m2;
            int local = g < g1 ? g : g - g1, per = m.scalesPerRow();
            from[g] = local * m.blockLength();
            to[g] = Math.min(m.cols(), from[g] + m.blockLength());
            for (int i = 0; i < rows; i++) s[g][i] = m.scales().getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * per + local);
        }
        return new Groups(from, to, g1, s);
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        open();
        KernelChecks.step(this, h, x, hNext);
        apply(wuCols, wuRows, wuGroups, wuSplit, d, h, x, a, 0, hNext);
        ColumnTwinKernel.hidden(relu, hNext, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        open();
        KernelChecks.projected(this, h, p, pOff, hNext);
        apply(wuCols, wuRows, wuGroups, wuSplit, d, h, null, p, pOff, hNext);
        ColumnTwinKernel.hidden(relu, hNext, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        open();
        KernelChecks.head(this, h, z);
        apply(vCols, vRows, vGroups, vSplit, k, h, null, b, 0, z);
    }

    private void open() {
        if (closed) throw new IllegalStateException("this int8 kernel has been closed");
    }

    @Override
    public boolean allFinite(float[] s, int off, int len) {
        return ColumnTwinKernel.finite(s, off, len);
    }

    /** out[0, rows) = init[initOff, ...) + the scaled products of [h; x], the matrix given by its columns C (outputs below split) and rows R. */
    private void apply(float[][] C, float[][] R, Groups G, int split, int rows, float[] h, float[] x, float[] init, int initOff, float[] out) {
        int groups = x == null ? G.hGroups : G.from.length;
        System.arraycopy(init, initOff, out, 0, rows);
        float[] p = CHAIN.get();
        if (p.length < split) CHAIN.set(p = new float[Math.max(split, d)]);
        for (int g = 0; g < groups; g++) {
            boolean ofH = g < G.hGroups;
            float[] e = ofH ? h : x, scale = G.scales[g];
            int r0 = ofH ? 0 : d, from = G.from[g], to = G.to[g];
            // blocks of 4 and 8 vectors (Int8VectorKernel.block8/block4): one chain per output from zero, then scaled
            if (split > 0) {
                java.util.Arrays.fill(p, 0, split, 0f);
                chain(C, r0, from, to, e, p, split);
                for (int c = 0; c < split; c++) out[c] = Math.fma(p[c] * UNSHIFT, scale[c], out[c]);
            }
            // single vectors (Int8VectorKernel.block1): four chains over (j - from) mod 4 of the plain q, summed, then scaled
            for (int c = split; c < rows; c += 2)
                pair(R[c - split], R[Math.min(c + 1, rows - 1) - split], r0 + from, r0 + to, e, from, scale, out, c, c + 1 < rows);
        }
    }

    /**
     * Outputs c (row q) and, when {@code two}, c + 1 (row r) of the single vectors, one scale group: chain i holds
     * q[at] e[j] for the at in [from, end) with (at - from) mod 4 = i (the rest in chain 0), e[j] for q[at] being
     * e[j0 + at - from]; then out = fma((p0 + p1) + (p2 + p3), scale, out). Two outputs at once, so that 8 FMA
     * chains are in flight.
     */
    private static void pair(float[] q, float[] r, int from, int end, float[] e, int j0, float[] scale, float[] out, int c, boolean two) {
        float p0 = 0, p1 = 0, p2 = 0, p3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int at = from, j = j0;
        for (; at + 4 <= end; at += 4, j += 4) {
            float e0 = e[j], e1 = e[j + 1], e2 = e[j + 2], e3 = e[j + 3];
            p0 = Math.fma(q[at], e0, p0);
            p1 = Math.fma(q[at + 1], e1, p1);
            p2 = Math.fma(q[at + 2], e2, p2);
            p3 = Math.fma(q[at + 3], e3, p3);
            s0 = Math.fma(r[at], e0, s0);
            s1 = Math.fma(r[at + 1], e1, s1);
            s2 = Math.fma(r[at + 2], e2, s2);
            s3 = Math.fma(r[at + 3], e3, s3);
        }
        for (; at < end; at++, j++) {
            p0 = Math.fma(q[at], e[j], p0);
            s0 = Math.fma(r[at], e[j], s0);
        }
        out[c] = Math.fma((p0 + p1) + (p2 + p3), scale[c], out[c]);
        if (two) out[c + 1] = Math.fma((s0 + s1) + (s2 + s3), scale[c + 1], out[c + 1]);
    }

    /** p[0, to) = Σ_{j in [from, end)} (q_j · 2^24) e[j], one chain in j order (8 or 4 columns a pass: the chain's order either way). */
    private static void chain(float[][] T, int r0, int from, int end, float[] e, float[] p, int to) {
        int j = from;
        for (; j + 8 <= end; j += 8) {
            float[] T0 = T[r0 + j], T1 = T[r0 + j + 1], T2 = T[r0 + j + 2], T3 = T[r0 + j + 3];
            float[] T4 = T[r0 + j + 4], T5 = T[r0 + j + 5], T6 = T[r0 + j + 6], T7 = T[r0 + j + 7];
            float e0 = e[j], e1 = e[j + 1], e2 = e[j + 2], e3 = e[j + 3], e4 = e[j + 4], e5 = e[j + 5], e6 = e[j + 6], e7 = e[j + 7];
            for (int c = 0; c < to; c++) {
                float v = Math.fma(T3[c], e3, Math.fma(T2[c], e2, Math.fma(T1[c], e1, Math.fma(T0[c], e0, p[c]))));
                p[c] = Math.fma(T7[c], e7, Math.fma(T6[c], e6, Math.fma(T5[c], e5, Math.fma(T4[c], e4, v))));
            }
        }
        for (; j + 4 <= end; j += 4) {
            float[] T0 = T[r0 + j], T1 = T[r0 + j + 1], T2 = T[r0 + j + 2], T3 = T[r0 + j + 3];
            float e0 = e[j], e1 = e[j + 1], e2 = e[j + 2], e3 = e[j + 3];
            for (int c = 0; c < to; c++)
                p[c] = Math.fma(T3[c], e3, Math.fma(T2[c], e2, Math.fma(T1[c], e1, Math.fma(T0[c], e0, p[c]))));
        }
        for (; j < end; j++) {
            float[] T0 = T[r0 + j];
            float e0 = e[j];
            for (int c = 0; c < to; c++) p[c] = Math.fma(T0[c], e0, p[c]);
        }
    }

    @Override
    public long weightBytes() {
        // the weights as floats, and the biases
        return 4L * ((long) (d + n) * d + (long) d * k + d + k);
    }

    @Override
    public String describe() {
        return "int8 plain Java twin of the Vector API kernel" + (relu ? " relu" : "");
    }

    @Override
    public void close() {
        closed = true;
    }
}
