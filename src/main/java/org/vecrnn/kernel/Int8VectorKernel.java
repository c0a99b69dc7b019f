package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The int8 step with the Vector API, in the order of {@link Int8ScalarKernel}: per block, the int8 weights
 * are loaded as bytes and widened to float lanes in registers (never a dequantized copy of the matrix),
 * multiplied into float h or x with FMA, the lane sums scaled once per block (one FMA per row per block) or
 * once per row (a multiply after the reduction), and reduced once per row. Four rows run together so each
 * load of h serves four rows.
 *
 * <p>Why widen to float and not Lucene's 16-bit route (int8 × int8 products in short lanes, widened to int
 * lanes and summed), both measured on the 2-core AVX-512 machine, 1024×1024 W, 4 rows at a time:
 * <ul>
 * <li>speed: no gain. The float route ran at about 48 weights/ns, the 16-bit route at 29 to 45 depending on the
 *     run, and in some JVM runs the 16-bit route's short-to-int conversions fell off the intrinsic path
 *     (over 1 ms per matvec instead of about 25 µs); the float route never did.</li>
 * <li>accuracy: the 16-bit route needs h and x quantized to int8 at every step; that doubled the h drift over
 *     1,000 steps at (512, 1024, 64) from 0.010 to 0.020 (max abs against the double reference).</li>
 * </ul>
 */
final class Int8VectorKernel extends Int8Kernel {
    static final VectorSpecies<Float> F = VectorWidth.FLOATS;
    /** As many bytes as F has float lanes: one load fills one float vector after widening. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * Byte.SIZE));
    static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    Int8VectorKernel(QuantizedRnn model, boolean owns) {
        super(model, owns);
    }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        Int8Checks.open(closed, model);
        Int8Checks.step(this, h, x, hNext);
        matvec(W, h, hNext, false);
        matvec(U, x, hNext, true);
        tanhPlus(hNext, a, null, 0);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        Int8Checks.open(closed, model);
        Int8Checks.projected(this, h, p, pOff, hNext);
        matvec(W, h, hNext, false);
        tanhPlus(hNext, null, p, pOff);
    }

    @Override
    public void head(float[] h, float[] z) {
        Int8Checks.open(closed, model);
        Int8Checks.head(this, h, z);
        matvec(V, h, z, false);
        int i = 0;
        for (int end = F.loopBound(k); i < end; i += L)
            FloatVector.fromArray(F, z, i).add(FloatVector.fromMemorySegment(F, b, (long) i * Float.BYTES, LE)).intoArray(z, i);
        for (; i < k; i++) z[i] += b.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    /**
     * pre = pre + (bias or p[pOff..]); pre = tanh(pre), in place. The tanh is the fp32 kernels' (VectorTanh):
     * the JDK's TANH lanes round differently interpreted and compiled, which made a stream's last bits depend
     * on JIT timing (ConcurrencySoakTest).
     */
    private void tanhPlus(float[] pre, MemorySegment bias, float[] p, int pOff) {
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector add = bias != null ? FloatVector.fromMemorySegment(F, bias, (long) i * Float.BYTES, LE) : FloatVector.fromArray(F, p, pOff + i);
            FloatVector.fromArray(F, pre, i).add(add).intoArray(pre, i);
        }
        for (; i < d; i++) pre[i] += bias != null ? bias.getAtIndex(ValueLayout.JAVA_FLOAT, i) : p[pOff + i];
        VectorTanh.apply(pre, 0, d);
    }

    /**
     * out[i] = Σ_j m[i, j] v[j], or out[i] += that when {@code add}. W and U run as two passes, not one pass
     * over the rows of [W | U]: the fused pass measured about 7 % slower at d = 1024 (two weight streams at
     * once, and the JIT's code for the two-part loop), although it saves one reduction per row.
     *
     * <p>One small method per scheme, each with one hot loop: when both schemes shared one method with both
     * loops, a JVM that had run both (tests, benchmarks) compiled it past C2's inlining budget, the Vector API
     * calls were no longer intrinsified, and the row scheme ran 7 to 10 times slower. The last rows % 4 rows
     * (at most 3, none at the benchmark sizes) go through the scalar reference.
     */
    static void matvec(Int8Matrix m, float[] v, float[] out, boolean add) {
        int rows = m.rows(), i = 0;
        if (m.scheme() == Int8Scheme.BLOCK32) for (; i + 4 <= rows; i += 4) blocks4(m, v, i, out, add);
        else for (; i + 4 <= rows; i += 4) rows4(m, v, i, out, add);
        for (; i < rows; i++) {
            float s = Int8ScalarKernel.dot(m, i, v, 0);
            out[i] = add ? out[i] + s : s;
        }
    }

    private static FloatVector widen(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Row scheme, four rows at a time, two partial sums per row (eight independent FMA chains: with four, the
     * 4-cycle FMA latency capped the loop at about 40 weights/ns; with eight it ran at about 48 on the
     * 1024×1024 W); the row's scale multiplies the reduced sum once.
     */
    private static void rows4(Int8Matrix m, float[] v, int i, float[] out, boolean add) {
        MemorySegment q = m.q(), sc = m.scales();
        int cols = m.cols(), j = 0;
        long r0 = (long) i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
        FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
        for (; j + 2 * L <= cols; j += 2 * L) {
            FloatVector va = FloatVector.fromArray(F, v, j), vb = FloatVector.fromArray(F, v, j + L);
            p0 = widen(q, r0 + j).fma(va, p0);
            q0 = widen(q, r0 + j + L).fma(vb, q0);
            p1 = widen(q, r1 + j).fma(va, p1);
            q1 = widen(q, r1 + j + L).fma(vb, q1);
            p2 = widen(q, r2 + j).fma(va, p2);
            q2 = widen(q, r2 + j + L).fma(vb, q2);
            p3 = widen(q, r3 + j).fma(va, p3);
            q3 = widen(q, r3 + j + L).fma(vb, q3);
        }
        if (j + L <= cols) {
            FloatVector va = FloatVector.fromArray(F, v, j);
            p0 = widen(q, r0 + j).fma(va, p0);
            p1 = widen(q, r1 + j).fma(va, p1);
            p2 = widen(q, r2 + j).fma(va, p2);
            p3 = widen(q, r3 + j).fma(va, p3);
            j += L;
        }
        float u0 = 0, u1 = 0, u2 = 0, u3 = 0;
        for (; j < cols; j++) {
            float vj = v[j];
            u0 += q.get(ValueLayout.JAVA_BYTE, r0 + j) * vj;
            u1 += q.get(ValueLayout.JAVA_BYTE, r1 + j) * vj;
            u2 += q.get(ValueLayout.JAVA_BYTE, r2 + j) * vj;
            u3 += q.get(ValueLayout.JAVA_BYTE, r3 + j) * vj;
        }
        // the four lane sums at once in a fixed order (see SUMS4), written out here: a helper taking vectors
        // is not always inlined, and then every vector crossing the call is boxed
        FloatVector a01 = p0.add(q0), b01 = p1.add(q1), a23 = p2.add(q2), b23 = p3.add(q3);
        a01 = a01.blend(b01, HI1).add(b01.blend(a01, HI1).rearrange(X_H1));
        a23 = a23.blend(b23, HI1).add(b23.blend(a23, HI1).rearrange(X_H1));
        FloatVector t = a01.blend(a23, HI2).add(a23.blend(a01, HI2).rearrange(X_H2));
        if (L >= 16) t = t.add(t.rearrange(X_2));
        if (L >= 8) t = t.add(t.rearrange(X_1));
        store(out, i, add,
                (t.lane(0) + u0) * sc.getAtIndex(ValueLayout.JAVA_FLOAT, i),
                (t.lane(H1) + u1) * sc.getAtIndex(ValueLayout.JAVA_FLOAT, i + 1),
                (t.lane(H2) + u2) * sc.getAtIndex(ValueLayout.JAVA_FLOAT, i + 2),
                (t.lane(H1 + H2) + u3) * sc.getAtIndex(ValueLayout.JAVA_FLOAT, i + 3));
    }

    /*
     * SUMS4: four rows' lane sums in one vector, in a fixed order, not reduceLanes(ADD), which adds in one
     * order interpreted and in another compiled (a stream's last bits then depended on JIT timing). Lanes
     * without bit H1 of their index take row a's pairs, lanes with it row b's; then the same with bit H2 for
     * the two pairs of rows; then folds by 2 and 1. Row sums land in lanes 0, H1, H2 and H1 + H2.
     */
    private static final int H1 = L / 2, H2 = L / 4;
    private static final VectorMask<Float> HI1 = laneBit(H1), HI2 = laneBit(H2);
    private static final VectorShuffle<Float> X_H1 = VectorShuffle.fromOp(F, i -> i ^ H1), X_H2 = VectorShuffle.fromOp(F, i -> i ^ H2),
            X_2 = VectorShuffle.fromOp(F, i -> i ^ Math.min(2, H2)), X_1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private static VectorMask<Float> laneBit(int bit) {
        boolean[] m = new boolean[L];
        for (int i = 0; i < L; i++) m[i] = (i & bit) != 0;
        return VectorMask.fromArray(F, m, 0);
    }

    /** Vectors per block of 32 weights: a constant, so the JIT unrolls the chunk loop completely. */
    private static final int CHUNKS = Int8Scheme.BLOCK / L;

    /**
     * Block scheme, four rows at a time: each full block's lane sums are scaled by one FMA into the row's
     * accumulator; a short last block (cols % 32 weights) is added by the scalar reference's loop.
     */
    private static void blocks4(Int8Matrix m, float[] v, int i, float[] out, boolean add) {
        MemorySegment q = m.q(), sc = m.scales();
        int cols = m.cols(), per = m.scalesPerRow(), full = cols / Int8Scheme.BLOCK;
        long r0 = (long) i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols, s0 = (long) i * per;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int blk = 0; blk < full; blk++) {
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int c = 0, j = blk * Int8Scheme.BLOCK; c < CHUNKS; c++, j += L) {
                FloatVector vj = FloatVector.fromArray(F, v, j);
                p0 = widen(q, r0 + j).fma(vj, p0);
                p1 = widen(q, r1 + j).fma(vj, p1);
                p2 = widen(q, r2 + j).fma(vj, p2);
                p3 = widen(q, r3 + j).fma(vj, p3);
            }
            acc0 = p0.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + blk)), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + per + blk)), acc1);
            acc2 = p2.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 2L * per + blk)), acc2);
            acc3 = p3.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 3L * per + blk)), acc3);
        }
        // the four lane sums at once in a fixed order, as in rows4
        FloatVector a01 = acc0.blend(acc1, HI1).add(acc1.blend(acc0, HI1).rearrange(X_H1));
        FloatVector a23 = acc2.blend(acc3, HI1).add(acc3.blend(acc2, HI1).rearrange(X_H1));
        FloatVector t = a01.blend(a23, HI2).add(a23.blend(a01, HI2).rearrange(X_H2));
        if (L >= 16) t = t.add(t.rearrange(X_2));
        if (L >= 8) t = t.add(t.rearrange(X_1));
        store(out, i, add,
                t.lane(0) + lastBlock(m, i, v, full),
                t.lane(H1) + lastBlock(m, i + 1, v, full),
                t.lane(H2) + lastBlock(m, i + 2, v, full),
                t.lane(H1 + H2) + lastBlock(m, i + 3, v, full));
    }

    /** The short last block of row i (block index {@code blk}), scaled, or 0 when the row has none. */
    private static float lastBlock(Int8Matrix m, int i, float[] v, int blk) {
        int cols = m.cols(), from = blk * Int8Scheme.BLOCK;
        if (from >= cols) return 0;
        long row = (long) i * cols;
        float s = 0;
        for (int j = from; j < cols; j++) s += m.q().get(ValueLayout.JAVA_BYTE, row + j) * v[j];
        return s * m.scales().getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * m.scalesPerRow() + blk);
    }

    private static void store(float[] out, int i, boolean add, float d0, float d1, float d2, float d3) {
        if (add) {
            d0 += out[i];
            d1 += out[i + 1];
            d2 += out[i + 2];
            d3 += out[i + 3];
        }
        out[i] = d0;
        out[i + 1] = d1;
        out[i + 2] = d2;
        out[i + 3] = d3;
    }

    @Override
    public String describe() {
        return model.scheme().id() + " Vector API " + F.vectorBitSize() + "-bit (bytes widened to float)";
    }
}
