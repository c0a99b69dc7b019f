package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The int8 step with the Vector API, in the column form of {@link VectorStepKernel}: the output vector is
 * the accumulator, {@code pre = a + Σ_g s_g ⊙ Σ_{j∈g} h_j Wq[:, j] + Σ_g t_g ⊙ Σ_{j∈g} x_j Uq[:, j]}, where
 * g runs over the scale groups (the whole row for the row scheme, 32 columns for block32) and s_g, t_g are
 * the groups' scales as vectors over the rows. The int8 weights are widened to float lanes in registers
 * (never a dequantized copy), multiplied by the broadcast h_j or x_j with one FMA, and a group's sums are
 * scaled with one FMA per output vector. No horizontal reductions, and the summation order is fixed, so the
 * results are the same bits interpreted and compiled.
 *
 * <p>Layout: [Wq | Uq] transposed into column blocks of up to {@value #BLOCK} output vectors, as the fp32
 * kernel packs its weights: block after block, each as d + n rows of its columns, one int8 per weight, in
 * the kernel's own 64-byte-aligned memory (the model file's row-major bytes are read once, at start). Within
 * a row of a block, each 4 output vectors are interleaved: int lane l holds the weights of rows l, L + l,
 * 2L + l and 3L + l in its four bytes. One int-vector load then serves four output vectors, and each byte
 * reaches float with one shift, AND or byte permute (a shift and an AND for the middle bytes where the CPU
 * lacks AVX-512 VBMI) and a convert (see part0..part3). One output vector alone (a tail) is plain bytes,
 * widened with one sign extension. The scales are packed as one float vector per group and output vector.
 * A stream may take the blocks in either order ({@link StepKernel#step(float[], float[], float[], boolean)}),
 * with the same bits.
 *
 * <p>The steps that led here, at (512, 1024, 64) on the 2-core AVX-512 machine (one harness, one JVM per
 * run): the row form with dot products and reductions, about 52-55 µs a step; this column form with
 * sign-extending loads of 16 bytes, 55 µs; interleaved ints with two shifts per byte, 49 µs; shifts and ANDs,
 * 43 µs; the scale loads written out in the blocks (C2 had left the helper that loaded them as a call,
 * boxing a vector per group), 34 µs; byte permutes for the middle bytes, 31 µs; the weight offset computed
 * from j in each iteration rather than carried from one to the next (C2 kept the carried one on the stack),
 * 29-30 µs (and 2.3 to 1.9 µs at (128, 256, 16)). The loop is now bound by the vector ALUs: per 128 weights
 * 8 FMAs and 8 converts, which cannot go, and 8 decode instructions. The same step in C with AVX-512
 * intrinsics (bench: StreamBench c_int8_column) runs at the same speed: 31.2 against 31.3 µs.
 *
 * <p>Why widen to float and not Lucene's 16-bit route (int8 × int8 products in short lanes, widened to int
 * lanes and summed), both measured on the 2-core AVX-512 machine with the earlier row form, 1024×1024 W:
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
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final int BLOCK = ColumnBlocks.WIDE;
    /**
     * The j loops step by this, not by a literal 1, so that C2 does not see them as counted loops and unroll
     * them (it unrolled the fp32 kernel's one-row loop 8 times and ordered each accumulator's dependent FMAs
     * back to back). Not final for that reason.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static int ONE = 1;

    private final NativeMemory memory = NativeMemory.of(this, "int8 step kernel");
    private final Arena arena = memory.arena();
    private final Packed WU, Vp;
    private final float[] aInit, bInit;

    /**
     * A transposed int8 matrix in column blocks (block i: output vectors [first[i], first[i] + size[i]),
     * bytes from base[i]) and its scales, one float per padded output row and group ({@code s}, group-major).
     * Group g covers columns [from[g], to[g]) of h (g < hGroups) or of x (the rest); its rows of a block start
     * skip[g] + from[g] rows into the block (skip is d for the groups of x, whose rows follow those of h).
     */
    private record Packed(MemorySegment q, MemorySegment s, ColumnBlocks blocks, int[] from, int[] to, int[] skip,
                          int hGroups, int paddedRows) {}

    Int8VectorKernel(QuantizedRnn model, boolean owns) {
        super(model, owns);
        WU = pack(W, U);
        Vp = pack(V, null);
        aInit = model.aValues();
        bInit = model.bValues();
    }

    /** [M1 | M2] transposed into the column blocks of {@link ColumnBlocks}; M2 may be null. */
    private Packed pack(Int8Matrix m1, Int8Matrix m2) {
        int rows = m1.rows(), c1 = m1.cols(), c2 = m2 == null ? 0 : m2.cols(), K = c1 + c2;
        int padded = (rows + L - 1) / L * L;
        ColumnBlocks blocks = ColumnBlocks.plan(rows, L, K, Byte.BYTES);
        MemorySegment q = arena.allocate(blocks.bytes(), 64);
        for (int bi = 0; bi < blocks.first().length; bi++) {
            int size = blocks.size()[bi], width = size * L, c0 = blocks.first()[bi] * L;
            // filled on the heap and copied in one call, as VectorStepKernel's blocks (a store per byte through
            // the segment ran interpreted at load)
            byte[] block = new byte[K * width];
            for (int j = 0; j < K; j++)
                for (int c = 0; c < width; c++) {
                    // in a group of 4 vectors, byte 4l + p of the group holds row p·L + l (see part0..part3)
                    int i = size == 1 ? c0 + c : c0 + (c / (4 * L)) * 4 * L + (c % 4) * L + (c % (4 * L)) / 4;
                    block[j * width + c] = i >= rows ? 0 : j < c1 ? weight(m1, i, j) : weight(m2, i, j - c1);
                }
            MemorySegment.copy(block, 0, q, ValueLayout.JAVA_BYTE, blocks.base()[bi], block.length);
        }
        int g1 = m1.scalesPerRow(), g2 = m2 == null ? 0 : m2.scalesPerRow();
        int[] from = new int[g1 + g2], to = new int[g1 + g2], skip = new int[g1 + g2];
        MemorySegment s = arena.allocate(4L * (g1 + g2) * padded, 64);
        for (int g = 0; g < g1 + g2; g++) {
            Int8Matrix m = g < g1 ? m1 : m2;
            int local = g < g1 ? g : g - g1, len = m.blockLength();
            from[g] = local * len;
            to[g] = Math.min(m.cols(), from[g] + len);
            skip[g] = g < g1 ? 0 : c1;
            for (int i = 0; i < rows; i++)
                s.setAtIndex(ValueLayout.JAVA_FLOAT, (long) g * padded + i, m.scales().getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * m.scalesPerRow() + local));
        }
        return new Packed(q.asReadOnly(), s.asReadOnly(), blocks, from, to, skip, g1, padded);
    }

    private static byte weight(Int8Matrix m, int i, int j) {
        return m.q().get(ValueLayout.JAVA_BYTE, (long) i * m.cols() + j);
    }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        step(h, x, hNext, false);
    }

    @Override
    public void step(float[] h, float[] x, float[] hNext, boolean backward) {
        KernelChecks.open(closed, model);
        KernelChecks.step(this, h, x, hNext);
        apply(WU, h, x, aInit, 0, hNext, backward);
        VectorRelu.hidden(relu, hNext, 0, d);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        KernelChecks.open(closed, model);
        KernelChecks.projected(this, h, p, pOff, hNext);
        // U x + a is already in p: only W's groups are read (x = null stops before U's)
        apply(WU, h, null, p, pOff, hNext, false);
        VectorRelu.hidden(relu, hNext, 0, d);
    }

    @Override
    public void head(float[] h, float[] z) {
        KernelChecks.open(closed, model);
        KernelChecks.head(this, h, z);
        apply(Vp, h, null, bInit, 0, z, false);
    }

    /** The same bits as {@link #step} for each stream: see {@link Int8Strips}. */
    @Override
    public void stepGroup(float[][] h, float[][] x, float[][] hNext, int m) {
        KernelChecks.open(closed, model);
        GroupChecks.check(h, x, hNext, m, d, n, d);
        applyGroup(WU, h, x, aInit, hNext, m);
        for (int s = 0; s < m; s++) VectorRelu.hidden(relu, hNext[s], 0, d);
    }

    @Override
    public void headGroup(float[][] h, float[][] z, int m) {
        KernelChecks.open(closed, model);
        GroupChecks.check(h, null, z, m, d, n, k);
        applyGroup(Vp, h, null, bInit, z, m);
    }

    /**
     * out[s] = init + the scaled int8 products with [h[s]; x[s]] for s < m: each column block in strips of 4
     * output vectors (one int vector a row), each strip scale group by scale group, the streams 4 at a time
     * (then 2, then 1). Blocks of one vector (a tail) run {@link #block1} stream by stream.
     */
    private void applyGroup(Packed P, float[][] h, float[][] x, float[] init, float[][] out, int m) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this int8 kernel has been closed");
        int groups = x == null ? P.hGroups : P.from.length, rows = P == Vp ? k : d;
        MemorySegment q = P.q, sc = P.s;
        int[] first = P.blocks.first(), size = P.blocks.size();
        long[] base = P.blocks.base();
        for (int i = 0; i < first.length; i++) {
            int c0 = first[i] * L, sz = size[i];
            if (sz == 1) {
                for (int s = 0; s < m; s++) block1(P, base[i], c0, groups, h[s], x == null ? null : x[s], init, 0, rows, out[s]);
                continue;
            }
            long row = (long) sz * L;
            for (int u = 0; u < sz; u += 4) {
                int cu = c0 + u * L;
                long at = base[i] + (long) u * L;
                for (int s = 0; s < m; s++) System.arraycopy(init, cu, out[s], cu, 4 * L);
                for (int g = 0; g < groups; g++) {
                    float[][] e = g < P.hGroups ? h : x;
                    long gb = at + (long) P.skip[g] * row, so = 4L * ((long) g * P.paddedRows + cu);
                    int from = P.from[g], to = P.to[g], s = 0;
                    for (; s + 4 <= m; s += 4)
                        Int8Strips.strip4(q, sc, gb, row, from, to, so, cu, e[s], e[s + 1], e[s + 2], e[s + 3], out[s], out[s + 1], out[s + 2], out[s + 3]);
                    if (m - s >= 2) {
                        Int8Strips.strip2(q, sc, gb, row, from, to, so, cu, e[s], e[s + 1], out[s], out[s + 1]);
                        s += 2;
                    }
                    if (s < m) Int8Strips.strip1(q, sc, gb, row, from, to, so, cu, e[s], out[s]);
                }
            }
        }
    }

    /** out = init[initOff..] + the scaled int8 products with [h; x], block by block, from the last when backward. */
    private void apply(Packed P, float[] h, float[] x, float[] init, int initOff, float[] out, boolean backward) {
        // the checks above cover the callers' arrays; the kernel's own memory may have been freed by close()
        if (!arena.scope().isAlive()) throw new IllegalStateException("this int8 kernel has been closed");
        int groups = x == null ? P.hGroups : P.from.length, rows = P == Vp ? k : d;
        int[] first = P.blocks.first(), size = P.blocks.size();
        long[] base = P.blocks.base();
        for (int q = 0; q < first.length; q++) {
            int i = backward ? first.length - 1 - q : q;
            int c0 = first[i] * L;
            switch (size[i]) {
                case BLOCK -> block8(P, base[i], c0, groups, h, x, init, initOff, out);
                case 4 -> block4(P, base[i], c0, groups, h, x, init, initOff, out);
                default -> block1(P, base[i], c0, groups, h, x, init, initOff, rows, out);
            }
        }
    }

    /** Output vectors c0/L .. c0/L + 7 (all whole): per group 8 FMA chains, then 8 scaling FMAs. */
    private static void block8(Packed P, long base, int c0, int groups, float[] h, float[] x, float[] init, int initOff, float[] out) {
        // the scale loads are written out, not a helper: C2 left such a helper as a call (per group, boxing its vector)
        MemorySegment q = P.q, sc = P.s;
        FloatVector a0 = FloatVector.fromArray(F, init, initOff + c0), a1 = FloatVector.fromArray(F, init, initOff + c0 + L), a2 = FloatVector.fromArray(F, init, initOff + c0 + 2 * L), a3 = FloatVector.fromArray(F, init, initOff + c0 + 3 * L), a4 = FloatVector.fromArray(F, init, initOff + c0 + 4 * L), a5 = FloatVector.fromArray(F, init, initOff + c0 + 5 * L), a6 = FloatVector.fromArray(F, init, initOff + c0 + 6 * L), a7 = FloatVector.fromArray(F, init, initOff + c0 + 7 * L);
        long row = 8L * L;
        for (int g = 0; g < groups; g++) {
            float[] v = g < P.hGroups ? h : x;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
            long gb = base + (long) P.skip[g] * row;
            for (int j = P.from[g], end = P.to[g], one = ONE; j < end; j += one) {
                long o = gb + j * row;
                FloatVector e = FloatVector.broadcast(F, v[j]);
                IntVector w0 = IntVector.fromMemorySegment(I, q, o, LE), w1 = IntVector.fromMemorySegment(I, q, o + 4L * L, LE);
                p0 = part0(w0).fma(e, p0);
                p1 = part1(w0).fma(e, p1);
                p2 = part2(w0).fma(e, p2);
                p3 = part3(w0).fma(e, p3);
                p4 = part0(w1).fma(e, p4);
                p5 = part1(w1).fma(e, p5);
                p6 = part2(w1).fma(e, p6);
                p7 = part3(w1).fma(e, p7);
            }
            long so = 4L * ((long) g * P.paddedRows + c0);
            a0 = p0.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so, LE), a0);
            a1 = p1.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 4L * L, LE), a1);
            a2 = p2.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 8L * L, LE), a2);
            a3 = p3.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 12L * L, LE), a3);
            a4 = p4.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 16L * L, LE), a4);
            a5 = p5.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 20L * L, LE), a5);
            a6 = p6.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 24L * L, LE), a6);
            a7 = p7.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 28L * L, LE), a7);
        }
        a0.intoArray(out, c0);
        a1.intoArray(out, c0 + L);
        a2.intoArray(out, c0 + 2 * L);
        a3.intoArray(out, c0 + 3 * L);
        a4.intoArray(out, c0 + 4 * L);
        a5.intoArray(out, c0 + 5 * L);
        a6.intoArray(out, c0 + 6 * L);
        a7.intoArray(out, c0 + 7 * L);
    }

    /** Output vectors c0/L .. c0/L + 3 (all whole): per group 4 FMA chains, then 4 scaling FMAs. */
    private static void block4(Packed P, long base, int c0, int groups, float[] h, float[] x, float[] init, int initOff, float[] out) {
        MemorySegment q = P.q, sc = P.s;
        FloatVector a0 = FloatVector.fromArray(F, init, initOff + c0), a1 = FloatVector.fromArray(F, init, initOff + c0 + L), a2 = FloatVector.fromArray(F, init, initOff + c0 + 2 * L), a3 = FloatVector.fromArray(F, init, initOff + c0 + 3 * L);
        long row = 4L * L;
        for (int g = 0; g < groups; g++) {
            float[] v = g < P.hGroups ? h : x;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            long gb = base + (long) P.skip[g] * row;
            for (int j = P.from[g], end = P.to[g], one = ONE; j < end; j += one) {
                long o = gb + j * row;
                FloatVector e = FloatVector.broadcast(F, v[j]);
                IntVector w = IntVector.fromMemorySegment(I, q, o, LE);
                p0 = part0(w).fma(e, p0);
                p1 = part1(w).fma(e, p1);
                p2 = part2(w).fma(e, p2);
                p3 = part3(w).fma(e, p3);
            }
            long so = 4L * ((long) g * P.paddedRows + c0);
            a0 = p0.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so, LE), a0);
            a1 = p1.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 4L * L, LE), a1);
            a2 = p2.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 8L * L, LE), a2);
            a3 = p3.mul(UNSHIFT).fma(FloatVector.fromMemorySegment(F, sc, so + 12L * L, LE), a3);
        }
        a0.intoArray(out, c0);
        a1.intoArray(out, c0 + L);
        a2.intoArray(out, c0 + 2 * L);
        a3.intoArray(out, c0 + 3 * L);
    }

    /**
     * One output vector, perhaps partial (masked init load and store; its padding rows are zero). Four chains
     * per group, over j mod 4 (the rows past the last whole 4 into the first), added in a fixed order, so the
     * FMA chain is not one long dependency. This is the whole head at k <= L: with two chains it waits on the FMA
     * latency (at (128, 256, 16), 128 turns of one FMA latency each).
     */
    private static void block1(Packed P, long base, int c0, int groups, float[] h, float[] x, float[] init, int initOff, int rows, float[] out) {
        MemorySegment q = P.q, sc = P.s;
        boolean whole = c0 + L <= rows;
        VectorMask<Float> m = F.indexInRange(c0, rows);
        FloatVector acc = whole ? FloatVector.fromArray(F, init, initOff + c0) : FloatVector.fromArray(F, init, initOff + c0, m);
        long row = L, o = base;
        for (int g = 0; g < groups; g++) {
            float[] v = g < P.hGroups ? h : x;
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            int j = P.from[g], end = P.to[g];
            for (; j + 4 <= end; j += 4, o += 4 * row) {
                p0 = widen(q, o).fma(FloatVector.broadcast(F, v[j]), p0);
                p1 = widen(q, o + row).fma(FloatVector.broadcast(F, v[j + 1]), p1);
                p2 = widen(q, o + 2 * row).fma(FloatVector.broadcast(F, v[j + 2]), p2);
                p3 = widen(q, o + 3 * row).fma(FloatVector.broadcast(F, v[j + 3]), p3);
            }
            for (; j < end; j++, o += row) p0 = widen(q, o).fma(FloatVector.broadcast(F, v[j]), p0);
            acc = p0.add(p1).add(p2.add(p3)).fma(FloatVector.fromMemorySegment(F, sc, 4L * ((long) g * P.paddedRows + c0), LE), acc);
        }
        if (whole) acc.intoArray(out, c0);
        else acc.intoArray(out, c0, m);
    }

    /*
     * The four bytes of an int lane, each moved to the top 8 bits with the lower bits zero: as an int that is
     * the byte times 2^24, which converts to float exactly; the group's sums are scaled back by 2^-24 (exact
     * unless the result is subnormal) before its scale. Part 0 takes one shift, part 3 one AND. Parts 1 and 2
     * take one byte permute with zero masking (vpermb, AVX-512 VBMI) where the CPU has it, else a shift and an
     * AND. The loop is bound by the vector ALUs, so one instruction fewer per part counts: at (512, 1024, 64)
     * on the AVX-512 machine the permute took the step from 34.2 to 31.3 µs (medians of 8 alternating runs of
     * each build in one harness).
     */
    private static final int TOP = 0xFF000000;
    static final float UNSHIFT = 0x1p-24f;
    /** Whether parts 1 and 2 use the byte permute; see {@link #bytePermute(String)}. */
    static final boolean PERMUTE = bytePermute(System.getProperty("vecrnn.int8Decode"));
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, F.vectorShape());
    /** The top byte of each int lane; the others are zeroed by the permute. */
    private static final VectorMask<Byte> TOP_BYTES = VectorMask.fromLong(BYTES, 0x8888888888888888L);
    private static final VectorShuffle<Byte> BYTE1_UP = VectorShuffle.fromOp(BYTES, i -> i % 4 == 3 ? i - 2 : i);
    private static final VectorShuffle<Byte> BYTE2_UP = VectorShuffle.fromOp(BYTES, i -> i % 4 == 3 ? i - 1 : i);

    static FloatVector part0(IntVector w) {
        return (FloatVector) w.lanewise(VectorOperators.LSHL, 24).convert(VectorOperators.I2F, 0);
    }

    static FloatVector part1(IntVector w) {
        IntVector t = PERMUTE ? w.reinterpretAsBytes().rearrange(BYTE1_UP, TOP_BYTES).reinterpretAsInts()
                : w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.AND, TOP);
        return (FloatVector) t.convert(VectorOperators.I2F, 0);
    }

    static FloatVector part2(IntVector w) {
        IntVector t = PERMUTE ? w.reinterpretAsBytes().rearrange(BYTE2_UP, TOP_BYTES).reinterpretAsInts()
                : w.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.AND, TOP);
        return (FloatVector) t.convert(VectorOperators.I2F, 0);
    }

    static FloatVector part3(IntVector w) {
        return (FloatVector) w.lanewise(VectorOperators.AND, TOP).convert(VectorOperators.I2F, 0);
    }

    /**
     * {@code -Dvecrnn.int8Decode=permute|shift} forces the decode of parts 1 and 2; by default the permute is
     * used where Linux lists {@code avx512vbmi} in /proc/cpuinfo. Without VBMI the JIT has no one-instruction
     * byte permute at 512 bits and may leave the rearrange to Java code, many times slower, so anything
     * unknown gets the shifts.
     */
    static boolean bytePermute(String forced) {
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim()) {
                case "permute" -> true;
                case "shift" -> false;
                default -> throw new IllegalArgumentException("vecrnn.int8Decode must be 'permute' or 'shift', not '" + forced + "'");
            };
        }
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().map(l -> (l + " ").contains(" avx512vbmi ")).orElse(false);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static FloatVector widen(MemorySegment q, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, q, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** The packed weights and scales a step reads (padded to whole vectors), and the biases. */
    @Override
    public long weightBytes() {
        return WU.q.byteSize() + WU.s.byteSize() + Vp.q.byteSize() + Vp.s.byteSize() + 4L * (d + k);
    }

    @Override
    void release() {
        synchronized (arena) {
            memory.close();
        }
    }

    @Override
    public String describe() {
        return model.scheme().id() + " Vector API " + F.vectorBitSize() + "-bit (bytes widened to float, " + (PERMUTE ? "byte permute" : "shifts") + ")";
    }
}
