package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * The fp32 fused step with the Vector API: {@code h' = tanh(W h + U x + a)} in one pass over the rows of
 * [W | U], {@value #ROWS} rows at a time (each vector of h and x is loaded once and used for four rows, one
 * accumulator per row, one reduction per row after the loop), then tanh over the finished rows, then the
 * head {@code V h + b} the same way.
 *
 * <p>Layout, chosen for the loads: the weights are copied once into 64-byte-aligned native memory, each row
 * as {@code [W_i, zeros to a multiple of the vector length, U_i, zeros]}. Every weight load is then a full,
 * aligned vector; only the loads of h and x need a mask in their last partial vector, and the zero padding
 * makes the masked-out lanes contribute nothing. V rows are padded the same way.
 */
final class VectorStepKernel implements StepKernel {
    static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int ROWS = 4;

    private final int n, d, k;
    /** Padded lengths of the W and U parts of a row, and the row stride in bytes. */
    private final int dP, nP;
    private final long rowBytes, vRowBytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment WU, V;
    private final float[] a, b;

    VectorStepKernel(ElmanRnn model) {
        n = model.n();
        d = model.d();
        k = model.k();
        dP = roundUp(d, L);
        nP = roundUp(n, L);
        rowBytes = 4L * (dP + nP);
        vRowBytes = 4L * dP;
        Parameters p = model.parameters();
        MemorySegment wu = arena.allocate(rowBytes * d, 64);
        for (int i = 0; i < d; i++) {
            MemorySegment.copy(p.W(), i * d, wu, ValueLayout.JAVA_FLOAT, i * rowBytes, d);
            MemorySegment.copy(p.U(), i * n, wu, ValueLayout.JAVA_FLOAT, i * rowBytes + 4L * dP, n);
        }
        MemorySegment v = arena.allocate(vRowBytes * k, 64);
        for (int i = 0; i < k; i++) MemorySegment.copy(p.V(), i * d, v, ValueLayout.JAVA_FLOAT, i * vRowBytes, d);
        WU = wu.asReadOnly();
        V = v.asReadOnly();
        a = p.a();
        b = p.b();
    }

    static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        rows(WU, rowBytes, d, h, d, x, n, a, 0, hNext);
        tanh(hNext, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        rows(WU, rowBytes, d, h, d, null, 0, p, pOff, hNext);
        tanh(hNext, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        rows(V, vRowBytes, k, h, d, null, 0, b, 0, z);
    }

    /**
     * out[i] = M_i · [h, x] + bias[bOff + i] for i in [0, count), where row i of M holds h's weights padded to
     * dP floats and then (when x != null) x's weights.
     */
    private void rows(MemorySegment M, long stride, int count, float[] h, int hLen, float[] x, int xLen,
                      float[] bias, int bOff, float[] out) {
        int i = 0;
        for (; i + ROWS <= count; i += ROWS) block(M, i * stride, stride, h, hLen, x, xLen, bias, bOff + i, out, i);
        for (; i < count; i++) out[i] = row(M, i * stride, h, hLen, x, xLen) + bias[bOff + i];
    }

    /**
     * Rows i..i+3. A method of its own on purpose: inlined into its caller, the body exceeded C2's node
     * budget (NodeCountInliningCutoff), the lane sums were not inlined, and every block boxed its vectors
     * (about 20 kB of garbage a step).
     */
    private void block(MemorySegment M, long r0, long stride, float[] h, int hLen, float[] x, int xLen,
                       float[] bias, int bOff, float[] out, int i) {
        // two accumulators per row: 8 independent FMA chains, enough to hide the FMA latency
        FloatVector s0a = FloatVector.zero(S), s1a = s0a, s2a = s0a, s3a = s0a, s0b = s0a, s1b = s0a, s2b = s0a, s3b = s0a;
        int j;
        for (j = 0; j <= hLen - 2 * L; j += 2 * L) {
            FloatVector e = FloatVector.fromArray(S, h, j), f = FloatVector.fromArray(S, h, j + L);
            long o = r0 + 4L * j, p = o + 4L * L;
            s0a = w(M, o).fma(e, s0a);
            s1a = w(M, o + stride).fma(e, s1a);
            s2a = w(M, o + 2 * stride).fma(e, s2a);
            s3a = w(M, o + 3 * stride).fma(e, s3a);
            s0b = w(M, p).fma(f, s0b);
            s1b = w(M, p + stride).fma(f, s1b);
            s2b = w(M, p + 2 * stride).fma(f, s2b);
            s3b = w(M, p + 3 * stride).fma(f, s3b);
        }
        for (; j < hLen; j += L) { // at most two: a whole vector and/or a partial one
            FloatVector e = FloatVector.fromArray(S, h, j, S.indexInRange(j, hLen));
            long o = r0 + 4L * j;
            s0a = w(M, o).fma(e, s0a);
            s1a = w(M, o + stride).fma(e, s1a);
            s2a = w(M, o + 2 * stride).fma(e, s2a);
            s3a = w(M, o + 3 * stride).fma(e, s3a);
        }
        if (x != null) {
            long xb = r0 + 4L * dP;
            for (j = 0; j <= xLen - 2 * L; j += 2 * L) {
                FloatVector e = FloatVector.fromArray(S, x, j), f = FloatVector.fromArray(S, x, j + L);
                long o = xb + 4L * j, p = o + 4L * L;
                s0a = w(M, o).fma(e, s0a);
                s1a = w(M, o + stride).fma(e, s1a);
                s2a = w(M, o + 2 * stride).fma(e, s2a);
                s3a = w(M, o + 3 * stride).fma(e, s3a);
                s0b = w(M, p).fma(f, s0b);
                s1b = w(M, p + stride).fma(f, s1b);
                s2b = w(M, p + 2 * stride).fma(f, s2b);
                s3b = w(M, p + 3 * stride).fma(f, s3b);
            }
            for (; j < xLen; j += L) { // at most two: a whole vector and/or a partial one
                FloatVector e = FloatVector.fromArray(S, x, j, S.indexInRange(j, xLen));
                long o = xb + 4L * j;
                s0a = w(M, o).fma(e, s0a);
                s1a = w(M, o + stride).fma(e, s1a);
                s2a = w(M, o + 2 * stride).fma(e, s2a);
                s3a = w(M, o + 3 * stride).fma(e, s3a);
            }
        }
        // the four lane sums at once, in a fixed order (see sum): halves, then quarters, then folds
        FloatVector u = s0a.add(s0b), v = s1a.add(s1b);
        FloatVector u01 = u.blend(v, HI1).add(v.blend(u, HI1).rearrange(X_H1));
        u = s2a.add(s2b);
        v = s3a.add(s3b);
        FloatVector u23 = u.blend(v, HI1).add(v.blend(u, HI1).rearrange(X_H1));
        FloatVector q = u01.blend(u23, HI2).add(u23.blend(u01, HI2).rearrange(X_H2));
        if (L >= 16) q = q.add(q.rearrange(X2));
        if (L >= 8) q = q.add(q.rearrange(X1));
        out[i] = q.lane(0) + bias[bOff];
        out[i + 1] = q.lane(H1) + bias[bOff + 1];
        out[i + 2] = q.lane(H2) + bias[bOff + 2];
        out[i + 3] = q.lane(H1 + H2) + bias[bOff + 3];
    }

    private static FloatVector w(MemorySegment M, long off) {
        return FloatVector.fromMemorySegment(S, M, off, NATIVE);
    }

    /** One row, for the last count % ROWS rows. */
    private float row(MemorySegment M, long r, float[] h, int hLen, float[] x, int xLen) {
        FloatVector s = FloatVector.zero(S);
        int j = 0;
        for (; j <= hLen - L; j += L)
            s = FloatVector.fromMemorySegment(S, M, r + 4L * j, NATIVE).fma(FloatVector.fromArray(S, h, j), s);
        if (j < hLen)
            s = FloatVector.fromMemorySegment(S, M, r + 4L * j, NATIVE).fma(FloatVector.fromArray(S, h, j, S.indexInRange(j, hLen)), s);
        if (x != null) {
            long base = r + 4L * dP;
            for (j = 0; j <= xLen - L; j += L)
                s = FloatVector.fromMemorySegment(S, M, base + 4L * j, NATIVE).fma(FloatVector.fromArray(S, x, j), s);
            if (j < xLen)
                s = FloatVector.fromMemorySegment(S, M, base + 4L * j, NATIVE).fma(FloatVector.fromArray(S, x, j, S.indexInRange(j, xLen)), s);
        }
        return sum(s);
    }

    private static final int H1 = L / 2, H2 = L / 4;
    /** Lanes with bit H1 (H2) of their index set, and the shuffles that swap lane i with lane i ^ H1 (i ^ H2). */
    private static final VectorMask<Float> HI1 = mask(H1), HI2 = mask(H2);
    private static final VectorShuffle<Float> X_H1 = VectorShuffle.fromOp(S, i -> i ^ H1), X_H2 = VectorShuffle.fromOp(S, i -> i ^ H2);

    private static VectorMask<Float> mask(int bit) {
        boolean[] m = new boolean[L];
        for (int i = 0; i < L; i++) m[i] = (i & bit) != 0;
        return VectorMask.fromArray(S, m, 0);
    }

    private static final VectorShuffle<Float> X8 = VectorShuffle.fromOp(S, i -> i ^ Math.min(8, L / 2)),
            X4 = VectorShuffle.fromOp(S, i -> i ^ Math.min(4, L / 2)), X2 = VectorShuffle.fromOp(S, i -> i ^ Math.min(2, L / 2)),
            X1 = VectorShuffle.fromOp(S, i -> i ^ 1);

    /**
     * The sum of the lanes in a fixed butterfly order. Not {@code reduceLanes(ADD)}: that sums in one order
     * when interpreted and another when JIT-compiled, so the same stream gave outputs differing in the last
     * bit before and after warm-up (SharedModelThreadsTest caught it). Exactly rounded adds in a fixed order
     * give the same bits in every mode.
     */
    static float sum(FloatVector v) {
        if (L >= 16) v = v.add(v.rearrange(X8));
        if (L >= 8) v = v.add(v.rearrange(X4));
        if (L >= 4) v = v.add(v.rearrange(X2));
        v = v.add(v.rearrange(X1));
        return v.lane(0);
    }

    /** v[0, len) = tanh(v[0, len)) in place. */
    static void tanh(float[] v, int len) {
        int j = 0;
        for (; j <= len - L; j += L) VectorTanh.apply(FloatVector.fromArray(S, v, j)).intoArray(v, j);
        if (j < len) {
            VectorMask<Float> m = S.indexInRange(j, len);
            VectorTanh.apply(FloatVector.fromArray(S, v, j, m)).intoArray(v, j, m);
        }
    }

    @Override
    public long weightBytes() {
        return rowBytes * d + vRowBytes * k + 4L * (d + k);
    }

    @Override
    public String describe() {
        return "fp32 Vector API " + S.vectorBitSize() + "-bit" + (VectorTanh.USE_RATIONAL ? "" : " (JDK tanh)");
    }

    @Override
    public void close() {
        synchronized (arena) {
            if (arena.scope().isAlive()) arena.close();
        }
    }
}
