package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
        for (; i + ROWS <= count; i += ROWS) {
            long r0 = i * stride, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int j = 0;
            for (; j <= hLen - L; j += L) {
                FloatVector v = FloatVector.fromArray(S, h, j);
                long o = 4L * j;
                s0 = FloatVector.fromMemorySegment(S, M, r0 + o, NATIVE).fma(v, s0);
                s1 = FloatVector.fromMemorySegment(S, M, r1 + o, NATIVE).fma(v, s1);
                s2 = FloatVector.fromMemorySegment(S, M, r2 + o, NATIVE).fma(v, s2);
                s3 = FloatVector.fromMemorySegment(S, M, r3 + o, NATIVE).fma(v, s3);
            }
            if (j < hLen) {
                FloatVector v = FloatVector.fromArray(S, h, j, S.indexInRange(j, hLen));
                long o = 4L * j;
                s0 = FloatVector.fromMemorySegment(S, M, r0 + o, NATIVE).fma(v, s0);
                s1 = FloatVector.fromMemorySegment(S, M, r1 + o, NATIVE).fma(v, s1);
                s2 = FloatVector.fromMemorySegment(S, M, r2 + o, NATIVE).fma(v, s2);
                s3 = FloatVector.fromMemorySegment(S, M, r3 + o, NATIVE).fma(v, s3);
            }
            if (x != null) {
                long base = 4L * dP;
                for (j = 0; j <= xLen - L; j += L) {
                    FloatVector v = FloatVector.fromArray(S, x, j);
                    long o = base + 4L * j;
                    s0 = FloatVector.fromMemorySegment(S, M, r0 + o, NATIVE).fma(v, s0);
                    s1 = FloatVector.fromMemorySegment(S, M, r1 + o, NATIVE).fma(v, s1);
                    s2 = FloatVector.fromMemorySegment(S, M, r2 + o, NATIVE).fma(v, s2);
                    s3 = FloatVector.fromMemorySegment(S, M, r3 + o, NATIVE).fma(v, s3);
                }
                if (j < xLen) {
                    FloatVector v = FloatVector.fromArray(S, x, j, S.indexInRange(j, xLen));
                    long o = base + 4L * j;
                    s0 = FloatVector.fromMemorySegment(S, M, r0 + o, NATIVE).fma(v, s0);
                    s1 = FloatVector.fromMemorySegment(S, M, r1 + o, NATIVE).fma(v, s1);
                    s2 = FloatVector.fromMemorySegment(S, M, r2 + o, NATIVE).fma(v, s2);
                    s3 = FloatVector.fromMemorySegment(S, M, r3 + o, NATIVE).fma(v, s3);
                }
            }
            out[i] = s0.reduceLanes(VectorOperators.ADD) + bias[bOff + i];
            out[i + 1] = s1.reduceLanes(VectorOperators.ADD) + bias[bOff + i + 1];
            out[i + 2] = s2.reduceLanes(VectorOperators.ADD) + bias[bOff + i + 2];
            out[i + 3] = s3.reduceLanes(VectorOperators.ADD) + bias[bOff + i + 3];
        }
        for (; i < count; i++) out[i] = row(M, i * stride, h, hLen, x, xLen) + bias[bOff + i];
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
        return s.reduceLanes(VectorOperators.ADD);
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
        return "fp32 Vector API " + S.vectorBitSize() + "-bit" + (VectorTanh.USE_RATIONAL ? " (rational tanh)" : "");
    }

    @Override
    public void close() {
        synchronized (arena) {
            if (arena.scope().isAlive()) arena.close();
        }
    }
}
