package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The int8 step with the Vector API, in the order of {@link Int8ScalarKernel}: per block, the int8 weights
 * are loaded as bytes and widened to float lanes in registers (never a dequantized copy of the matrix),
 * multiplied into float h or x with FMA, the block's lane sums scaled once by the block scale (one FMA per
 * row per block; once per row for the row scheme) and reduced once per row. Four rows run
 * together so each load of h serves four rows.
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
final class Int8VectorKernel implements StepKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many bytes as F has float lanes: one load fills one float vector after widening. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * Byte.SIZE));
    static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final QuantizedRnn model;
    private final Int8Matrix U, W, V;
    private final MemorySegment a, b;
    private final int n, d, k;

    Int8VectorKernel(QuantizedRnn model) {
        this.model = model;
        this.U = model.U();
        this.W = model.W();
        this.V = model.V();
        this.a = model.a();
        this.b = model.b();
        this.n = model.n();
        this.d = model.d();
        this.k = model.k();
    }

    @Override
    public int n() { return n; }

    @Override
    public int d() { return d; }

    @Override
    public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        Int8Checks.step(this, h, x, hNext);
        matvec(W, h, hNext, false);
        matvec(U, x, hNext, true);
        tanhPlus(hNext, a, null, 0);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        Int8Checks.projected(this, h, p, pOff, hNext);
        matvec(W, h, hNext, false);
        tanhPlus(hNext, null, p, pOff);
    }

    @Override
    public void head(float[] h, float[] z) {
        Int8Checks.head(this, h, z);
        matvec(V, h, z, false);
        int i = 0;
        for (int end = F.loopBound(k); i < end; i += L)
            FloatVector.fromArray(F, z, i).add(FloatVector.fromMemorySegment(F, b, (long) i * Float.BYTES, LE)).intoArray(z, i);
        for (; i < k; i++) z[i] += b.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    /** pre = pre + (bias or p[pOff..]); pre = tanh(pre), in place. */
    private void tanhPlus(float[] pre, MemorySegment bias, float[] p, int pOff) {
        int i = 0;
        for (int end = F.loopBound(d); i < end; i += L) {
            FloatVector add = bias != null ? FloatVector.fromMemorySegment(F, bias, (long) i * Float.BYTES, LE) : FloatVector.fromArray(F, p, pOff + i);
            FloatVector.fromArray(F, pre, i).add(add).lanewise(VectorOperators.TANH).intoArray(pre, i);
        }
        for (; i < d; i++) pre[i] = (float) Math.tanh(pre[i] + (bias != null ? bias.getAtIndex(ValueLayout.JAVA_FLOAT, i) : p[pOff + i]));
    }

    /**
     * out[i] = Σ_j m[i, j] v[j], or out[i] += that when {@code add}. W and U run as two passes, not one pass
     * over the rows of [W | U]: the fused pass measured about 7 % slower at d = 1024 (two weight streams at
     * once, and the JIT's code for the two-part loop), although it saves one reduction per row.
     */
    static void matvec(Int8Matrix m, float[] v, float[] out, boolean add) {
        int rows = m.rows(), i = 0;
        for (; i + 4 <= rows; i += 4) rows4(m, v, i, out, add);
        for (; i < rows; i++) out[i] = add ? out[i] + row1(m, v, i) : row1(m, v, i);
    }

    private static FloatVector widen(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Four rows at a time, two partial sums per row (eight independent FMA chains: with four, the 4-cycle FMA
     * latency capped the loop at about 40 weights/ns; with eight it ran at about 48 on the 1024×1024 W).
     * Blocks of exactly two vectors (32 weights at 512 bits) take a straight loop of their own, without inner
     * loops or scalar tails: inside the general block loop, that per-block control cost the block scheme
     * 2 to 3 times the row scheme's time at d = 128 and 256.
     */
    private static void rows4(Int8Matrix m, float[] v, int i, float[] out, boolean add) {
        MemorySegment q = m.q(), sc = m.scales();
        int cols = m.cols(), len = m.blockLength(), per = m.scalesPerRow();
        long r0 = (long) i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols, s0 = (long) i * per;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        // full blocks of exactly two vectors: no inner loop, no scalar tail
        int straight = len == 2 * L ? cols / len : 0;
        for (int blk = 0; blk < straight; blk++) {
            int j = blk * len;
            FloatVector va = FloatVector.fromArray(F, v, j), vb = FloatVector.fromArray(F, v, j + L);
            FloatVector p0 = widen(q, r0 + j).mul(va).add(widen(q, r0 + j + L).mul(vb));
            FloatVector p1 = widen(q, r1 + j).mul(va).add(widen(q, r1 + j + L).mul(vb));
            FloatVector p2 = widen(q, r2 + j).mul(va).add(widen(q, r2 + j + L).mul(vb));
            FloatVector p3 = widen(q, r3 + j).mul(va).add(widen(q, r3 + j + L).mul(vb));
            acc0 = p0.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + blk)), acc0);
            acc1 = p1.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + per + blk)), acc1);
            acc2 = p2.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 2L * per + blk)), acc2);
            acc3 = p3.fma(FloatVector.broadcast(F, sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 3L * per + blk)), acc3);
        }
        // any other block: the whole row (row scheme) or a short last block
        for (int blk = straight; blk < per; blk++) {
            int from = blk * len, to = Math.min(cols, from + len), j = from;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
            for (; j + 2 * L <= to; j += 2 * L) {
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
            if (j + L <= to) {
                FloatVector va = FloatVector.fromArray(F, v, j);
                p0 = widen(q, r0 + j).fma(va, p0);
                p1 = widen(q, r1 + j).fma(va, p1);
                p2 = widen(q, r2 + j).fma(va, p2);
                p3 = widen(q, r3 + j).fma(va, p3);
                j += L;
            }
            float u0 = 0, u1 = 0, u2 = 0, u3 = 0;
            for (; j < to; j++) {
                float vj = v[j];
                u0 += q.get(ValueLayout.JAVA_BYTE, r0 + j) * vj;
                u1 += q.get(ValueLayout.JAVA_BYTE, r1 + j) * vj;
                u2 += q.get(ValueLayout.JAVA_BYTE, r2 + j) * vj;
                u3 += q.get(ValueLayout.JAVA_BYTE, r3 + j) * vj;
            }
            float c0 = sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + blk), c1 = sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + per + blk);
            float c2 = sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 2L * per + blk), c3 = sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + 3L * per + blk);
            acc0 = p0.add(q0).fma(FloatVector.broadcast(F, c0), acc0);
            acc1 = p1.add(q1).fma(FloatVector.broadcast(F, c1), acc1);
            acc2 = p2.add(q2).fma(FloatVector.broadcast(F, c2), acc2);
            acc3 = p3.add(q3).fma(FloatVector.broadcast(F, c3), acc3);
            t0 += u0 * c0;
            t1 += u1 * c1;
            t2 += u2 * c2;
            t3 += u3 * c3;
        }
        float d0 = acc0.reduceLanes(VectorOperators.ADD) + t0, d1 = acc1.reduceLanes(VectorOperators.ADD) + t1;
        float d2 = acc2.reduceLanes(VectorOperators.ADD) + t2, d3 = acc3.reduceLanes(VectorOperators.ADD) + t3;
        out[i] = add ? out[i] + d0 : d0;
        out[i + 1] = add ? out[i + 1] + d1 : d1;
        out[i + 2] = add ? out[i + 2] + d2 : d2;
        out[i + 3] = add ? out[i + 3] + d3 : d3;
    }

    private static float row1(Int8Matrix m, float[] v, int i) {
        MemorySegment q = m.q(), sc = m.scales();
        int cols = m.cols(), len = m.blockLength(), per = m.scalesPerRow();
        long r0 = (long) i * cols, s0 = (long) i * per;
        FloatVector acc = FloatVector.zero(F);
        float t = 0;
        for (int blk = 0; blk < per; blk++) {
            int from = blk * len, to = Math.min(cols, from + len), j = from;
            FloatVector p = FloatVector.zero(F);
            for (; j + L <= to; j += L) p = widen(q, r0 + j).fma(FloatVector.fromArray(F, v, j), p);
            float u = 0;
            for (; j < to; j++) u += q.get(ValueLayout.JAVA_BYTE, r0 + j) * v[j];
            float c = sc.getAtIndex(ValueLayout.JAVA_FLOAT, s0 + blk);
            acc = p.fma(FloatVector.broadcast(F, c), acc);
            t += u * c;
        }
        return acc.reduceLanes(VectorOperators.ADD) + t;
    }

    @Override
    public long weightBytes() {
        return model.bytes();
    }

    @Override
    public String describe() {
        return model.scheme().id() + " Vector API " + F.vectorBitSize() + "-bit (bytes widened to float)";
    }

    @Override
    public void close() {
        // the memory belongs to the model, which its owner closes
    }
}
