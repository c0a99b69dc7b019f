package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * The fp32 fused step with the Vector API: {@code h' = tanh(W h + U x + a)} in one pass over the weights,
 * then tanh over the finished vector, then the head {@code V h + b} the same way.
 *
 * <p>Column form, chosen by measurement. The first version took rows of [W | U] four at a time as dot
 * products (one horizontal reduction per row); at these sizes the rows are short (a few dozen vectors), so
 * loop set-up and the reductions cost as much as the FMAs, and it ran about 1.7 times slower than gcc's
 * code. Here the output is the accumulator: {@code h' = a + Σ_j h_j W[:, j] + Σ_j x_j U[:, j]}, with up to
 * {@value #BLOCK} output vectors held in registers (one FMA chain each, enough to hide FMA latency), one
 * broadcast of h_j or x_j per {@value #BLOCK} FMAs, no reductions, and one long loop of d + n iterations.
 *
 * <p>Layout: [W | U] transposed and cut into column blocks of up to {@value #BLOCK} vectors; block after block
 * in 64-byte-aligned native memory, each as d + n rows of its columns, so a step reads the weights as one
 * sequential stream of whole aligned vectors. The last output vector, when d is not a multiple of the vector
 * length L, is a block of its own whose padding columns are zero and whose loads and stores are masked.
 * V is stored the same way. The blocks are independent, so a step may take them in either order
 * ({@link StepKernel#step(float[], float[], float[], boolean)}), with the same result bit for bit. The
 * summation order is fixed (no reductions that the JIT may reorder), so results are bit-identical
 * interpreted and compiled.
 */
final class VectorStepKernel implements StepKernel {
    static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int BLOCK = ColumnBlocks.WIDE;
    /**
     * The j loops of block8 and block4 step by this, not by a literal 1, so that C2 does not see them as
     * counted loops. A counted loop it unrolls 8 times and then schedules each accumulator's 8 FMAs back to
     * back: 8 chains of 8 dependent FMAs (4 cycles each) that the out-of-order core cannot overlap, and the
     * step at (128, 256, 16) took 3.97 µs. A step the JIT cannot take for a constant leaves the loop as
     * written, 8 loads and 8 FMAs into 8 accumulators per j: 3.27 µs (consecutive JMH runs, 5 forks each),
     * although each load keeps its bounds check (the flag -XX:LoopUnrollLimit=0 shows the same effect).
     * Not final for that reason; nothing assigns it.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static int ONE = 1;

    private final int n, d, k;
    private final Arena arena = Arena.ofShared();
    private final Packed WU, V;
    private final float[] a, b;

    /** A transposed matrix in column blocks: block i covers output vectors [first[i], first[i] + size[i]) and starts at base[i]. */
    private record Packed(MemorySegment m, ColumnBlocks blocks) {}

    VectorStepKernel(ElmanRnn model) {
        n = model.n();
        d = model.d();
        k = model.k();
        Parameters p = model.parameters();
        WU = pack(p.W(), p.U(), d, n);
        V = pack(p.V(), null, k, 0);
        a = p.a();
        b = p.b();
    }

    /** [A1 | A2] (rows × (c1 + c2), row-major parts) transposed into the column blocks of {@link ColumnBlocks}. */
    private Packed pack(float[] A1, float[] A2, int rows, int c2) {
        int c1 = A1.length / rows, K = c1 + c2;
        ColumnBlocks blocks = ColumnBlocks.plan(rows, L, K, Float.BYTES);
        MemorySegment m = arena.allocate(blocks.bytes(), 64);
        for (int bi = 0; bi < blocks.first().length; bi++) {
            int width = blocks.size()[bi] * L, c0 = blocks.first()[bi] * L;
            long at = blocks.base()[bi] / Float.BYTES;
            for (int j = 0; j < K; j++)
                for (int c = 0; c < width; c++) {
                    int i = c0 + c;
                    float val = i >= rows ? 0f : j < c1 ? A1[i * c1 + j] : A2[i * c2 + j - c1];
                    m.setAtIndex(ValueLayout.JAVA_FLOAT, at + (long) j * width + c, val);
                }
        }
        return new Packed(m.asReadOnly(), blocks);
    }

    static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        step(h, x, hNext, false);
    }

    @Override
    public void step(float[] h, float[] x, float[] hNext, boolean backward) {
        apply(WU, h, x, a, 0, d, hNext, backward);
        tanh(hNext, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        // U x + a is already in p: only the W rows of each block are read (x = null stops before the U rows)
        apply(WU, h, null, p, pOff, d, hNext, false);
        tanh(hNext, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        apply(V, h, null, b, 0, k, z, false);
    }

    /** out[0, len) = init[initOff, initOff + len) + M [h; x], block by block, from the last block when backward. */
    private void apply(Packed P, float[] h, float[] x, float[] init, int initOff, int len, float[] out, boolean backward) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this kernel has been closed");
        if (h == null || out == null || init == null) throw new IllegalArgumentException("null array");
        if (h.length < d || out.length < len || initOff < 0 || init.length - initOff < len || (x != null && x.length < n))
            throw new IllegalArgumentException("array too short for the model's sizes (n=" + n + ", d=" + d + ", k=" + k + ")");
        // the output vectors are written block by block while later blocks still read h
        if (out == h) throw new IllegalArgumentException("the output must not alias h");
        MemorySegment M = P.m;
        int xLen = x == null ? 0 : n;
        int[] first = P.blocks.first(), size = P.blocks.size();
        long[] base = P.blocks.base();
        for (int q = 0; q < first.length; q++) {
            int i = backward ? first.length - 1 - q : q;
            int c0 = first[i] * L;
            switch (size[i]) {
                case BLOCK -> block8(M, base[i], c0, h, d, x, xLen, init, initOff, out);
                case 4 -> block4(M, base[i], c0, h, d, x, xLen, init, initOff, out);
                default -> block1(M, base[i], c0, h, d, x, xLen, init, initOff, len, out);
            }
        }
    }

    /** Output vectors c0/L .. c0/L + 7 (all whole): 8 accumulators, one FMA chain each. */
    private static void block8(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, float[] out) {
        FloatVector s0 = FloatVector.fromArray(S, init, initOff + c0 + 0 * L), s1 = FloatVector.fromArray(S, init, initOff + c0 + 1 * L), s2 = FloatVector.fromArray(S, init, initOff + c0 + 2 * L), s3 = FloatVector.fromArray(S, init, initOff + c0 + 3 * L), s4 = FloatVector.fromArray(S, init, initOff + c0 + 4 * L), s5 = FloatVector.fromArray(S, init, initOff + c0 + 5 * L), s6 = FloatVector.fromArray(S, init, initOff + c0 + 6 * L), s7 = FloatVector.fromArray(S, init, initOff + c0 + 7 * L);
        long row = 32L * L;
        for (int j = 0, one = ONE; j < hLen; j += one) {
            long o = base + j * row;
            FloatVector e = FloatVector.broadcast(S, h[j]);
            s0 = w(M, o).fma(e, s0);
            s1 = w(M, o + 4L * L).fma(e, s1);
            s2 = w(M, o + 8L * L).fma(e, s2);
            s3 = w(M, o + 12L * L).fma(e, s3);
            s4 = w(M, o + 16L * L).fma(e, s4);
            s5 = w(M, o + 20L * L).fma(e, s5);
            s6 = w(M, o + 24L * L).fma(e, s6);
            s7 = w(M, o + 28L * L).fma(e, s7);
        }
        if (x != null) {
            long xb = base + hLen * row;
            for (int j = 0, one = ONE; j < xLen; j += one) {
                long o = xb + j * row;
                FloatVector e = FloatVector.broadcast(S, x[j]);
                s0 = w(M, o).fma(e, s0);
                s1 = w(M, o + 4L * L).fma(e, s1);
                s2 = w(M, o + 8L * L).fma(e, s2);
                s3 = w(M, o + 12L * L).fma(e, s3);
                s4 = w(M, o + 16L * L).fma(e, s4);
                s5 = w(M, o + 20L * L).fma(e, s5);
                s6 = w(M, o + 24L * L).fma(e, s6);
                s7 = w(M, o + 28L * L).fma(e, s7);
            }
        }
        s0.intoArray(out, c0 + 0 * L);
        s1.intoArray(out, c0 + 1 * L);
        s2.intoArray(out, c0 + 2 * L);
        s3.intoArray(out, c0 + 3 * L);
        s4.intoArray(out, c0 + 4 * L);
        s5.intoArray(out, c0 + 5 * L);
        s6.intoArray(out, c0 + 6 * L);
        s7.intoArray(out, c0 + 7 * L);
    }

    /** Output vectors c0/L .. c0/L + 3 (all whole): 4 accumulators, one FMA chain each. */
    private static void block4(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, float[] out) {
        FloatVector s0 = FloatVector.fromArray(S, init, initOff + c0 + 0 * L), s1 = FloatVector.fromArray(S, init, initOff + c0 + 1 * L), s2 = FloatVector.fromArray(S, init, initOff + c0 + 2 * L), s3 = FloatVector.fromArray(S, init, initOff + c0 + 3 * L);
        long row = 16L * L;
        for (int j = 0, one = ONE; j < hLen; j += one) {
            long o = base + j * row;
            FloatVector e = FloatVector.broadcast(S, h[j]);
            s0 = w(M, o).fma(e, s0);
            s1 = w(M, o + 4L * L).fma(e, s1);
            s2 = w(M, o + 8L * L).fma(e, s2);
            s3 = w(M, o + 12L * L).fma(e, s3);
        }
        if (x != null) {
            long xb = base + hLen * row;
            for (int j = 0, one = ONE; j < xLen; j += one) {
                long o = xb + j * row;
                FloatVector e = FloatVector.broadcast(S, x[j]);
                s0 = w(M, o).fma(e, s0);
                s1 = w(M, o + 4L * L).fma(e, s1);
                s2 = w(M, o + 8L * L).fma(e, s2);
                s3 = w(M, o + 12L * L).fma(e, s3);
            }
        }
        s0.intoArray(out, c0 + 0 * L);
        s1.intoArray(out, c0 + 1 * L);
        s2.intoArray(out, c0 + 2 * L);
        s3.intoArray(out, c0 + 3 * L);
    }

    /**
     * One output vector, perhaps partial (masked init load and store; its padding columns are zero). Four
     * accumulators over j mod 4, summed in a fixed order, so the FMA chain is not one long dependency.
     */
    private static void block1(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, int len, float[] out) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        long row = 4L * L;
        int j = 0;
        for (; j + 4 <= hLen; j += 4) {
            long o = base + j * row;
            s0 = w(M, o).fma(FloatVector.broadcast(S, h[j]), s0);
            s1 = w(M, o + row).fma(FloatVector.broadcast(S, h[j + 1]), s1);
            s2 = w(M, o + 2 * row).fma(FloatVector.broadcast(S, h[j + 2]), s2);
            s3 = w(M, o + 3 * row).fma(FloatVector.broadcast(S, h[j + 3]), s3);
        }
        for (; j < hLen; j++) s0 = w(M, base + j * row).fma(FloatVector.broadcast(S, h[j]), s0);
        if (x != null) {
            long xb = base + hLen * row;
            for (j = 0; j + 4 <= xLen; j += 4) {
                long o = xb + j * row;
                s0 = w(M, o).fma(FloatVector.broadcast(S, x[j]), s0);
                s1 = w(M, o + row).fma(FloatVector.broadcast(S, x[j + 1]), s1);
                s2 = w(M, o + 2 * row).fma(FloatVector.broadcast(S, x[j + 2]), s2);
                s3 = w(M, o + 3 * row).fma(FloatVector.broadcast(S, x[j + 3]), s3);
            }
            for (; j < xLen; j++) s0 = w(M, xb + j * row).fma(FloatVector.broadcast(S, x[j]), s0);
        }
        FloatVector sum = s0.add(s1).add(s2.add(s3));
        if (c0 + L <= len) {
            sum.add(FloatVector.fromArray(S, init, initOff + c0)).intoArray(out, c0);
        } else {
            VectorMask<Float> m = S.indexInRange(c0, len);
            sum.add(FloatVector.fromArray(S, init, initOff + c0, m)).intoArray(out, c0, m);
        }
    }

    private static FloatVector w(MemorySegment M, long off) {
        return FloatVector.fromMemorySegment(S, M, off, NATIVE);
    }

    /** v[0, len) = tanh(v[0, len)) in place. */
    static void tanh(float[] v, int len) {
        VectorTanh.apply(v, 0, len);
    }

    @Override
    public long weightBytes() {
        return WU.m.byteSize() + V.m.byteSize() + 4L * (d + k);
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
