package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * The fp32 fused step of one layer with the Vector API: {@code h' = f(W h + U x + a)} in one pass over the
 * weights, then f (tanh or relu) over the finished vector, then the head {@code V h + b} the same way.
 *
 * <p>Column form, chosen by measurement. The first version took rows of [W | U] four at a time as dot
 * products (one horizontal reduction per row); at these sizes the rows are short (a few dozen vectors), so
 * loop set-up and the reductions cost as much as the FMAs, and it ran about 1.7 times slower than gcc's
 * code. Here the output is the accumulator: {@code h' = a + Σ_j h_j W[:, j] + Σ_j x_j U[:, j]}, with up to
 * {@value #BLOCK} output vectors held in registers (twice: even and odd j, so each FMA chain has time to
 * hide the FMA latency), one broadcast of h_j or x_j per {@value #BLOCK} FMAs, no reductions, and one loop
 * over the d rows of W, then one over the n rows of U.
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
    private final int n, d, k;
    private final NativeMemory memory = NativeMemory.of(this, "fp32 step kernel");
    private final Arena arena = memory.arena();
    private final Packed WU, V;
    private final float[] a, b;
    private final boolean relu;

    /** A transposed matrix in column blocks: block i covers output vectors [first[i], first[i] + size[i]) and starts at base[i]. */
    private record Packed(MemorySegment m, ColumnBlocks blocks) {}

    VectorStepKernel(ElmanRnn model) {
        Kernels.checkOneLayer(model);
        relu = model.nonlinearity() == Nonlinearity.RELU;
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
            // a block is filled on the heap and copied in one call: a store per value through the segment
            // ran interpreted at load, about 1 µs each (0.1 s for one d = 256 layer)
            float[] block = new float[K * width];
            for (int j = 0; j < K; j++)
                for (int c = 0; c < width; c++) {
                    int i = c0 + c;
                    block[j * width + c] = i >= rows ? 0f : j < c1 ? A1[i * c1 + j] : A2[i * c2 + j - c1];
                }
            MemorySegment.copy(block, 0, m, ValueLayout.JAVA_FLOAT, blocks.base()[bi], block.length);
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
        VectorRelu.hidden(relu, hNext, 0, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        // U x + a is already in p: only the W rows of each block are read (x = null stops before the U rows)
        apply(WU, h, null, p, pOff, d, hNext, false);
        VectorRelu.hidden(relu, hNext, 0, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        apply(V, h, null, b, 0, k, z, false);
    }

    /** The same bits as {@link #step} for each stream: see {@link FloatStrips}. */
    @Override
    public void stepGroup(float[][] h, float[][] x, float[][] hNext, int m) {
        applyGroup(WU, h, x, a, d, hNext, m);
        for (int i = 0; i < m; i++) VectorRelu.hidden(relu, hNext[i], 0, d);
    }

    @Override
    public void headGroup(float[][] h, float[][] z, int m) {
        applyGroup(V, h, null, b, k, z, m);
    }

    /**
     * out[s][0, len) = init + M [h[s]; x[s]] for s < m: each column block in strips of 4 output vectors, each
     * strip for the streams 4 at a time (then 2 or 1, in halves of 2 vectors), the rows of h, then those of x
     * on top. Blocks of one vector (a tail, or a head of k <= L) take the streams 4 at a time too ({@link FloatStrips#column4}).
     */
    private void applyGroup(Packed P, float[][] h, float[][] x, float[] init, int len, float[][] out, int m) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this kernel has been closed");
        GroupChecks.check(h, x, out, m, d, n, len);
        MemorySegment M = P.m;
        int[] first = P.blocks.first(), size = P.blocks.size();
        long[] base = P.blocks.base();
        for (int i = 0; i < first.length; i++) {
            int c0 = first[i] * L, sz = size[i];
            if (sz == 1) {
                int s = 0;
                for (; s + 4 <= m; s += 4)
                    FloatStrips.column4(M, base[i], c0, d, h[s], h[s + 1], h[s + 2], h[s + 3], n, x == null ? null : x[s], x == null ? null : x[s + 1],
                            x == null ? null : x[s + 2], x == null ? null : x[s + 3], init, len, out[s], out[s + 1], out[s + 2], out[s + 3]);
                for (; s < m; s++) block1(M, base[i], c0, h[s], d, x == null ? null : x[s], n, init, 0, len, out[s]);
                continue;
            }
            long row = sz * 4L * L;
            for (int v = 0; v < sz; v += 4) {
                long at = base[i] + v * 4L * L;
                int cv = c0 + v * L;
                int s = 0;
                for (; s + 4 <= m; s += 4) {
                    float[] o0 = out[s], o1 = out[s + 1], o2 = out[s + 2], o3 = out[s + 3];
                    FloatStrips.evens4(M, at, row, cv, d, h[s], h[s + 1], h[s + 2], h[s + 3], init, init, init, init, 0, o0, o1, o2, o3);
                    FloatStrips.odds4(M, at, row, cv, d, h[s], h[s + 1], h[s + 2], h[s + 3], o0, o1, o2, o3);
                    if (x == null) continue;
                    long xa = at + d * row;
                    FloatStrips.evens4(M, xa, row, cv, n, x[s], x[s + 1], x[s + 2], x[s + 3], o0, o1, o2, o3, 0, o0, o1, o2, o3);
                    FloatStrips.odds4(M, xa, row, cv, n, x[s], x[s + 1], x[s + 2], x[s + 3], o0, o1, o2, o3);
                }
                for (int half = 0; half < 4 && s < m; half += 2) {
                    long ah = at + half * 4L * L;
                    int ch = cv + half * L;
                    strips(M, ah, row, ch, d, h, init, null, out, s, m);
                    if (x != null) strips(M, ah + d * row, row, ch, n, x, null, out, out, s, m);
                }
            }
        }
    }

    /** A strip of 2 output vectors for streams [s, m), fewer than 4: init is {@code shared} for all, or each stream's own {@code inits[s]}. */
    private static void strips(MemorySegment M, long base, long row, int c0, int len, float[][] e, float[] shared,
                               float[][] inits, float[][] out, int s, int m) {
        if (m - s >= 2) {
            FloatStrips.strip2(M, base, row, c0, len, e[s], e[s + 1],
                    shared != null ? shared : inits[s], shared != null ? shared : inits[s + 1], 0, out[s], out[s + 1]);
            s += 2;
        }
        if (s < m) FloatStrips.strip1(M, base, row, c0, len, e[s], shared != null ? shared : inits[s], 0, out[s]);
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

    /** Output vectors c0/L .. c0/L + 7 (all whole): W h into out, then U x on top of it. */
    private static void block8(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, float[] out) {
        rows8(M, base, c0, h, hLen, init, initOff, out);
        if (x != null) rows8(M, base + hLen * 32L * L, c0, x, xLen, out, 0, out);
    }

    /**
     * out[c0, c0 + 8L) = init[initOff + c0, ...) + Σ_j e[j] row_j, for the len rows of 8 vectors from base.
     *
     * <p>Two rows a turn, into two sets of 8 accumulators, so that the loop is a counted one (C2 then
     * hoists the bounds checks of the 16 loads out of it) and each accumulator still takes one FMA a turn.
     * The load is the FMA's first argument ({@code e.fma(w, s)}, not {@code w.fma(e, s)}): only then does C2
     * fold it into the FMA as a memory operand. Measured at (128, 256, 16), alternating in one JVM: 3.3 µs
     * a step with one row a turn in a loop C2 may not count (a bounds check on every load), 2.85 µs with this
     * loop. Counted with one row a turn, C2 unrolled the loop 8 times and ordered each accumulator's 8
     * dependent FMAs back to back (4.0 µs); two rows into one set of accumulators it also ordered back to back.
     */
    private static void rows8(MemorySegment M, long base, int c0, float[] e, int len,
                              float[] init, int initOff, float[] out) {
        int at = initOff + c0;
        FloatVector s0 = FloatVector.fromArray(S, init, at), s1 = FloatVector.fromArray(S, init, at + L), s2 = FloatVector.fromArray(S, init, at + 2 * L), s3 = FloatVector.fromArray(S, init, at + 3 * L), s4 = FloatVector.fromArray(S, init, at + 4 * L), s5 = FloatVector.fromArray(S, init, at + 5 * L), s6 = FloatVector.fromArray(S, init, at + 6 * L), s7 = FloatVector.fromArray(S, init, at + 7 * L);
        FloatVector t0 = FloatVector.zero(S), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        long row = 32L * L;
        int j = 0;
        for (; j < len - 1; j += 2) {
            long o = base + j * row, p = o + row;
            FloatVector ej = FloatVector.broadcast(S, e[j]), ek = FloatVector.broadcast(S, e[j + 1]);
            s0 = ej.fma(w(M, o), s0);
            s1 = ej.fma(w(M, o + 4L * L), s1);
            s2 = ej.fma(w(M, o + 8L * L), s2);
            s3 = ej.fma(w(M, o + 12L * L), s3);
            s4 = ej.fma(w(M, o + 16L * L), s4);
            s5 = ej.fma(w(M, o + 20L * L), s5);
            s6 = ej.fma(w(M, o + 24L * L), s6);
            s7 = ej.fma(w(M, o + 28L * L), s7);
            t0 = ek.fma(w(M, p), t0);
            t1 = ek.fma(w(M, p + 4L * L), t1);
            t2 = ek.fma(w(M, p + 8L * L), t2);
            t3 = ek.fma(w(M, p + 12L * L), t3);
            t4 = ek.fma(w(M, p + 16L * L), t4);
            t5 = ek.fma(w(M, p + 20L * L), t5);
            t6 = ek.fma(w(M, p + 24L * L), t6);
            t7 = ek.fma(w(M, p + 28L * L), t7);
        }
        if (j < len) {
            long o = base + j * row;
            FloatVector ej = FloatVector.broadcast(S, e[j]);
            s0 = ej.fma(w(M, o), s0);
            s1 = ej.fma(w(M, o + 4L * L), s1);
            s2 = ej.fma(w(M, o + 8L * L), s2);
            s3 = ej.fma(w(M, o + 12L * L), s3);
            s4 = ej.fma(w(M, o + 16L * L), s4);
            s5 = ej.fma(w(M, o + 20L * L), s5);
            s6 = ej.fma(w(M, o + 24L * L), s6);
            s7 = ej.fma(w(M, o + 28L * L), s7);
        }
        s0.add(t0).intoArray(out, c0);
        s1.add(t1).intoArray(out, c0 + L);
        s2.add(t2).intoArray(out, c0 + 2 * L);
        s3.add(t3).intoArray(out, c0 + 3 * L);
        s4.add(t4).intoArray(out, c0 + 4 * L);
        s5.add(t5).intoArray(out, c0 + 5 * L);
        s6.add(t6).intoArray(out, c0 + 6 * L);
        s7.add(t7).intoArray(out, c0 + 7 * L);
    }

    /** Output vectors c0/L .. c0/L + 3 (all whole): as {@link #block8}, with blocks of 4 vectors. */
    private static void block4(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, float[] out) {
        rows4(M, base, c0, h, hLen, init, initOff, out);
        if (x != null) rows4(M, base + hLen * 16L * L, c0, x, xLen, out, 0, out);
    }

    /** As {@link #rows8}, for rows of 4 vectors: two rows a turn into two sets of 4 accumulators. */
    private static void rows4(MemorySegment M, long base, int c0, float[] e, int len,
                              float[] init, int initOff, float[] out) {
        int at = initOff + c0;
        FloatVector s0 = FloatVector.fromArray(S, init, at), s1 = FloatVector.fromArray(S, init, at + L), s2 = FloatVector.fromArray(S, init, at + 2 * L), s3 = FloatVector.fromArray(S, init, at + 3 * L);
        FloatVector t0 = FloatVector.zero(S), t1 = t0, t2 = t0, t3 = t0;
        long row = 16L * L;
        int j = 0;
        for (; j < len - 1; j += 2) {
            long o = base + j * row, p = o + row;
            FloatVector ej = FloatVector.broadcast(S, e[j]), ek = FloatVector.broadcast(S, e[j + 1]);
            s0 = ej.fma(w(M, o), s0);
            s1 = ej.fma(w(M, o + 4L * L), s1);
            s2 = ej.fma(w(M, o + 8L * L), s2);
            s3 = ej.fma(w(M, o + 12L * L), s3);
            t0 = ek.fma(w(M, p), t0);
            t1 = ek.fma(w(M, p + 4L * L), t1);
            t2 = ek.fma(w(M, p + 8L * L), t2);
            t3 = ek.fma(w(M, p + 12L * L), t3);
        }
        if (j < len) {
            long o = base + j * row;
            FloatVector ej = FloatVector.broadcast(S, e[j]);
            s0 = ej.fma(w(M, o), s0);
            s1 = ej.fma(w(M, o + 4L * L), s1);
            s2 = ej.fma(w(M, o + 8L * L), s2);
            s3 = ej.fma(w(M, o + 12L * L), s3);
        }
        s0.add(t0).intoArray(out, c0);
        s1.add(t1).intoArray(out, c0 + L);
        s2.add(t2).intoArray(out, c0 + 2 * L);
        s3.add(t3).intoArray(out, c0 + 3 * L);
    }

    /**
     * One output vector, perhaps partial (masked init load and store; its padding columns are zero). Four
     * accumulators over j mod 4, summed in a fixed order, so the FMA chain is not one long dependency; the
     * load is each FMA's first argument, as in {@link #rows8}.
     */
    private static void block1(MemorySegment M, long base, int c0, float[] h, int hLen, float[] x, int xLen,
                               float[] init, int initOff, int len, float[] out) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        long row = 4L * L;
        int j = 0;
        for (; j + 4 <= hLen; j += 4) {
            long o = base + j * row;
            s0 = FloatVector.broadcast(S, h[j]).fma(w(M, o), s0);
            s1 = FloatVector.broadcast(S, h[j + 1]).fma(w(M, o + row), s1);
            s2 = FloatVector.broadcast(S, h[j + 2]).fma(w(M, o + 2 * row), s2);
            s3 = FloatVector.broadcast(S, h[j + 3]).fma(w(M, o + 3 * row), s3);
        }
        for (; j < hLen; j++) s0 = FloatVector.broadcast(S, h[j]).fma(w(M, base + j * row), s0);
        if (x != null) {
            long xb = base + hLen * row;
            for (j = 0; j + 4 <= xLen; j += 4) {
                long o = xb + j * row;
                s0 = FloatVector.broadcast(S, x[j]).fma(w(M, o), s0);
                s1 = FloatVector.broadcast(S, x[j + 1]).fma(w(M, o + row), s1);
                s2 = FloatVector.broadcast(S, x[j + 2]).fma(w(M, o + 2 * row), s2);
                s3 = FloatVector.broadcast(S, x[j + 3]).fma(w(M, o + 3 * row), s3);
            }
            for (; j < xLen; j++) s0 = FloatVector.broadcast(S, x[j]).fma(w(M, xb + j * row), s0);
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

    @Override
    public long weightBytes() {
        return WU.m.byteSize() + V.m.byteSize() + 4L * (d + k);
    }

    @Override
    public String describe() {
        return "fp32 Vector API " + S.vectorBitSize() + "-bit" + (relu ? " relu" : VectorTanh.USE_RATIONAL ? "" : " (JDK tanh)");
    }

    @Override
    public void close() {
        synchronized (arena) {
            memory.close();
        }
    }
}
