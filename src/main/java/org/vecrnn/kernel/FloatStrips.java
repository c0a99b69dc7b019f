package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 grouped step's inner loops. Each weight vector is loaded once into a register and feeds one FMA
 * per stream, so a group of 4 reads a strip's weights once where 4 single steps read them 4 times.
 *
 * <p>Every output vector of every stream is computed with exactly the operations of
 * {@code VectorStepKernel.rows8}, {@code rows4} and {@code block1}, in the same order: the init, then one FMA
 * chain over the even rows and one over the odd rows, added at the end (block1: 4 chains over j mod 4). So a
 * stream stepped in a group gets the same bits as stepped alone. The loops are counted (the j bound is a
 * parameter, the step a literal) so that C2 hoists the bounds checks of the stream arrays out of them.
 *
 * <p>Shapes: 4 streams take a strip of 4 output vectors in two passes, {@link #evens4} then {@link #odds4}
 * (16 accumulators, 4 weight loads and 4 broadcasts per 16 FMAs); the even chain's sum waits in the output
 * array between them, and a float stored and loaded back is the same float. At (128, 256, 16), 32 streams, on
 * the 2-core AVX-512 machine, this took the grouped W/U pass from about 1,340 to 1,190 ns a stream-step
 * against strips of 2 vectors × 4 streams with both chains in registers (16 accumulators, 4 weight loads and
 * 8 broadcasts per 16 FMAs). The 1 to 3 streams left over take strips of 2 vectors ({@link #strip2},
 * {@link #strip1}); one-vector blocks and the head of k <= L take 4 streams at a time in {@link #column4}.
 */
final class FloatStrips {
    private FloatStrips() {}

    static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * The even rows of a strip of 4 output vectors for 4 streams: out_s[c0, c0 + 4L) = init_s[initOff + c0, ...) +
     * Σ_{j even} e_s[j] row_j, the chain {@code rows8} and {@code rows4} keep in s0..s3 (or s0..s7).
     * 16 accumulators: each row's 4 weight vectors are loaded once and feed 4 streams.
     */
    static void evens4(MemorySegment M, long base, long row, int c0, int len, float[] e0, float[] e1, float[] e2, float[] e3,
                       float[] i0, float[] i1, float[] i2, float[] i3, int initOff, float[] o0, float[] o1, float[] o2, float[] o3) {
        int at = initOff + c0;
        FloatVector s00 = FloatVector.fromArray(S, i0, at), s01 = FloatVector.fromArray(S, i0, at + 1 * L), s02 = FloatVector.fromArray(S, i0, at + 2 * L), s03 = FloatVector.fromArray(S, i0, at + 3 * L);
        FloatVector s10 = FloatVector.fromArray(S, i1, at), s11 = FloatVector.fromArray(S, i1, at + 1 * L), s12 = FloatVector.fromArray(S, i1, at + 2 * L), s13 = FloatVector.fromArray(S, i1, at + 3 * L);
        FloatVector s20 = FloatVector.fromArray(S, i2, at), s21 = FloatVector.fromArray(S, i2, at + 1 * L), s22 = FloatVector.fromArray(S, i2, at + 2 * L), s23 = FloatVector.fromArray(S, i2, at + 3 * L);
        FloatVector s30 = FloatVector.fromArray(S, i3, at), s31 = FloatVector.fromArray(S, i3, at + 1 * L), s32 = FloatVector.fromArray(S, i3, at + 2 * L), s33 = FloatVector.fromArray(S, i3, at + 3 * L);
        for (int j = 0; j < len; j += 2) {
            long o = base + j * row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L), w2 = w(M, o + 8L * L), w3 = w(M, o + 12L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
            s02 = b0.fma(w2, s02);
            s03 = b0.fma(w3, s03);
            FloatVector b1 = FloatVector.broadcast(S, e1[j]);
            s10 = b1.fma(w0, s10);
            s11 = b1.fma(w1, s11);
            s12 = b1.fma(w2, s12);
            s13 = b1.fma(w3, s13);
            FloatVector b2 = FloatVector.broadcast(S, e2[j]);
            s20 = b2.fma(w0, s20);
            s21 = b2.fma(w1, s21);
            s22 = b2.fma(w2, s22);
            s23 = b2.fma(w3, s23);
            FloatVector b3 = FloatVector.broadcast(S, e3[j]);
            s30 = b3.fma(w0, s30);
            s31 = b3.fma(w1, s31);
            s32 = b3.fma(w2, s32);
            s33 = b3.fma(w3, s33);
        }
        s00.intoArray(o0, c0);
        s01.intoArray(o0, c0 + L);
        s02.intoArray(o0, c0 + 2 * L);
        s03.intoArray(o0, c0 + 3 * L);
        s10.intoArray(o1, c0);
        s11.intoArray(o1, c0 + L);
        s12.intoArray(o1, c0 + 2 * L);
        s13.intoArray(o1, c0 + 3 * L);
        s20.intoArray(o2, c0);
        s21.intoArray(o2, c0 + L);
        s22.intoArray(o2, c0 + 2 * L);
        s23.intoArray(o2, c0 + 3 * L);
        s30.intoArray(o3, c0);
        s31.intoArray(o3, c0 + L);
        s32.intoArray(o3, c0 + 2 * L);
        s33.intoArray(o3, c0 + 3 * L);
    }

    /**
     * The odd rows, after {@link #evens4} wrote out_s: out_s[c0, c0 + 4L) = out_s + Σ_{j odd} e_s[j] row_j, the
     * chain {@code rows8} and {@code rows4} keep in t0..t3 (or t0..t7) and add to s0..s3 at the end.
     */
    static void odds4(MemorySegment M, long base, long row, int c0, int len, float[] e0, float[] e1, float[] e2, float[] e3, float[] o0, float[] o1, float[] o2, float[] o3) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00, s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        for (int j = 1; j < len; j += 2) {
            long o = base + j * row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L), w2 = w(M, o + 8L * L), w3 = w(M, o + 12L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
            s02 = b0.fma(w2, s02);
            s03 = b0.fma(w3, s03);
            FloatVector b1 = FloatVector.broadcast(S, e1[j]);
            s10 = b1.fma(w0, s10);
            s11 = b1.fma(w1, s11);
            s12 = b1.fma(w2, s12);
            s13 = b1.fma(w3, s13);
            FloatVector b2 = FloatVector.broadcast(S, e2[j]);
            s20 = b2.fma(w0, s20);
            s21 = b2.fma(w1, s21);
            s22 = b2.fma(w2, s22);
            s23 = b2.fma(w3, s23);
            FloatVector b3 = FloatVector.broadcast(S, e3[j]);
            s30 = b3.fma(w0, s30);
            s31 = b3.fma(w1, s31);
            s32 = b3.fma(w2, s32);
            s33 = b3.fma(w3, s33);
        }
        FloatVector.fromArray(S, o0, c0).add(s00).intoArray(o0, c0);
        FloatVector.fromArray(S, o0, c0 + L).add(s01).intoArray(o0, c0 + L);
        FloatVector.fromArray(S, o0, c0 + 2 * L).add(s02).intoArray(o0, c0 + 2 * L);
        FloatVector.fromArray(S, o0, c0 + 3 * L).add(s03).intoArray(o0, c0 + 3 * L);
        FloatVector.fromArray(S, o1, c0).add(s10).intoArray(o1, c0);
        FloatVector.fromArray(S, o1, c0 + L).add(s11).intoArray(o1, c0 + L);
        FloatVector.fromArray(S, o1, c0 + 2 * L).add(s12).intoArray(o1, c0 + 2 * L);
        FloatVector.fromArray(S, o1, c0 + 3 * L).add(s13).intoArray(o1, c0 + 3 * L);
        FloatVector.fromArray(S, o2, c0).add(s20).intoArray(o2, c0);
        FloatVector.fromArray(S, o2, c0 + L).add(s21).intoArray(o2, c0 + L);
        FloatVector.fromArray(S, o2, c0 + 2 * L).add(s22).intoArray(o2, c0 + 2 * L);
        FloatVector.fromArray(S, o2, c0 + 3 * L).add(s23).intoArray(o2, c0 + 3 * L);
        FloatVector.fromArray(S, o3, c0).add(s30).intoArray(o3, c0);
        FloatVector.fromArray(S, o3, c0 + L).add(s31).intoArray(o3, c0 + L);
        FloatVector.fromArray(S, o3, c0 + 2 * L).add(s32).intoArray(o3, c0 + 2 * L);
        FloatVector.fromArray(S, o3, c0 + 3 * L).add(s33).intoArray(o3, c0 + 3 * L);
    }

    /**
     * A strip of 2 output vectors for 2 streams: out_s[c0, c0 + 2L) = init_s[initOff + c0, ...) + Σ_j e_s[j] row_j
     * over the len rows from {@code base}, each row {@code row} bytes apart and the strip's 2 vectors at its
     * start, with the even and the odd rows in two chains added at the end, as {@code rows8} does.
     */
    static void strip2(MemorySegment M, long base, long row, int c0, int len, float[] e0, float[] e1,
                       float[] i0, float[] i1, int initOff, float[] o0, float[] o1) {
        int at = initOff + c0;
        FloatVector s00 = FloatVector.fromArray(S, i0, at), s01 = FloatVector.fromArray(S, i0, at + L);
        FloatVector s10 = FloatVector.fromArray(S, i1, at), s11 = FloatVector.fromArray(S, i1, at + L);
        FloatVector t00 = FloatVector.zero(S), t01 = t00, t10 = t00, t11 = t00;
        int j = 0;
        for (; j < len - 1; j += 2) {
            long o = base + j * row, p = o + row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L), v0 = w(M, p), v1 = w(M, p + 4L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
            FloatVector b1 = FloatVector.broadcast(S, e1[j]);
            s10 = b1.fma(w0, s10);
            s11 = b1.fma(w1, s11);
            FloatVector q0 = FloatVector.broadcast(S, e0[j + 1]);
            t00 = q0.fma(v0, t00);
            t01 = q0.fma(v1, t01);
            FloatVector q1 = FloatVector.broadcast(S, e1[j + 1]);
            t10 = q1.fma(v0, t10);
            t11 = q1.fma(v1, t11);
        }
        if (j < len) {
            long o = base + j * row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
            FloatVector b1 = FloatVector.broadcast(S, e1[j]);
            s10 = b1.fma(w0, s10);
            s11 = b1.fma(w1, s11);
        }
        s00.add(t00).intoArray(o0, c0);
        s01.add(t01).intoArray(o0, c0 + L);
        s10.add(t10).intoArray(o1, c0);
        s11.add(t11).intoArray(o1, c0 + L);
    }

    /** As {@link #strip2}, for 1 stream. */
    static void strip1(MemorySegment M, long base, long row, int c0, int len, float[] e0,
                       float[] i0, int initOff, float[] o0) {
        int at = initOff + c0;
        FloatVector s00 = FloatVector.fromArray(S, i0, at), s01 = FloatVector.fromArray(S, i0, at + L);
        FloatVector t00 = FloatVector.zero(S), t01 = t00;
        int j = 0;
        for (; j < len - 1; j += 2) {
            long o = base + j * row, p = o + row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L), v0 = w(M, p), v1 = w(M, p + 4L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
            FloatVector q0 = FloatVector.broadcast(S, e0[j + 1]);
            t00 = q0.fma(v0, t00);
            t01 = q0.fma(v1, t01);
        }
        if (j < len) {
            long o = base + j * row;
            FloatVector w0 = w(M, o), w1 = w(M, o + 4L * L);
            FloatVector b0 = FloatVector.broadcast(S, e0[j]);
            s00 = b0.fma(w0, s00);
            s01 = b0.fma(w1, s01);
        }
        s00.add(t00).intoArray(o0, c0);
        s01.add(t01).intoArray(o0, c0 + L);
    }

    /**
     * One output vector (perhaps partial) for 4 streams, with exactly the operations of
     * {@code VectorStepKernel.block1}: per stream 4 chains over the rows j mod 4 of h, then of x (the rows past
     * the last whole 4 into chain 0), summed as (s0 + s1) + (s2 + s3), then init added. 16 accumulators, each
     * weight vector loaded once for the 4 streams; a stream's x is null for a head, which reads no x rows.
     */
    static void column4(MemorySegment M, long base, int c0, int hLen, float[] h0, float[] h1, float[] h2, float[] h3,
                        int xLen, float[] x0, float[] x1, float[] x2, float[] x3, float[] init, int len,
                        float[] o0, float[] o1, float[] o2, float[] o3) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        long row = 4L * L;
        {
            int j = 0;
            for (; j + 4 <= hLen; j += 4) {
                long o = base + j * row;
                FloatVector w0 = w(M, o);
                a00 = FloatVector.broadcast(S, h0[j]).fma(w0, a00);
                a10 = FloatVector.broadcast(S, h1[j]).fma(w0, a10);
                a20 = FloatVector.broadcast(S, h2[j]).fma(w0, a20);
                a30 = FloatVector.broadcast(S, h3[j]).fma(w0, a30);
                FloatVector w1 = w(M, o + row);
                a01 = FloatVector.broadcast(S, h0[j + 1]).fma(w1, a01);
                a11 = FloatVector.broadcast(S, h1[j + 1]).fma(w1, a11);
                a21 = FloatVector.broadcast(S, h2[j + 1]).fma(w1, a21);
                a31 = FloatVector.broadcast(S, h3[j + 1]).fma(w1, a31);
                FloatVector w2 = w(M, o + 2 * row);
                a02 = FloatVector.broadcast(S, h0[j + 2]).fma(w2, a02);
                a12 = FloatVector.broadcast(S, h1[j + 2]).fma(w2, a12);
                a22 = FloatVector.broadcast(S, h2[j + 2]).fma(w2, a22);
                a32 = FloatVector.broadcast(S, h3[j + 2]).fma(w2, a32);
                FloatVector w3 = w(M, o + 3 * row);
                a03 = FloatVector.broadcast(S, h0[j + 3]).fma(w3, a03);
                a13 = FloatVector.broadcast(S, h1[j + 3]).fma(w3, a13);
                a23 = FloatVector.broadcast(S, h2[j + 3]).fma(w3, a23);
                a33 = FloatVector.broadcast(S, h3[j + 3]).fma(w3, a33);
            }
            for (; j < hLen; j++) {
                FloatVector w0 = w(M, base + j * row);
                a00 = FloatVector.broadcast(S, h0[j]).fma(w0, a00);
                a10 = FloatVector.broadcast(S, h1[j]).fma(w0, a10);
                a20 = FloatVector.broadcast(S, h2[j]).fma(w0, a20);
                a30 = FloatVector.broadcast(S, h3[j]).fma(w0, a30);
            }
        }
        if (x0 != null) {
            long xb = base + hLen * row;
            int j = 0;
            for (; j + 4 <= xLen; j += 4) {
                long o = xb + j * row;
                FloatVector w0 = w(M, o);
                a00 = FloatVector.broadcast(S, x0[j]).fma(w0, a00);
                a10 = FloatVector.broadcast(S, x1[j]).fma(w0, a10);
                a20 = FloatVector.broadcast(S, x2[j]).fma(w0, a20);
                a30 = FloatVector.broadcast(S, x3[j]).fma(w0, a30);
                FloatVector w1 = w(M, o + row);
                a01 = FloatVector.broadcast(S, x0[j + 1]).fma(w1, a01);
                a11 = FloatVector.broadcast(S, x1[j + 1]).fma(w1, a11);
                a21 = FloatVector.broadcast(S, x2[j + 1]).fma(w1, a21);
                a31 = FloatVector.broadcast(S, x3[j + 1]).fma(w1, a31);
                FloatVector w2 = w(M, o + 2 * row);
                a02 = FloatVector.broadcast(S, x0[j + 2]).fma(w2, a02);
                a12 = FloatVector.broadcast(S, x1[j + 2]).fma(w2, a12);
                a22 = FloatVector.broadcast(S, x2[j + 2]).fma(w2, a22);
                a32 = FloatVector.broadcast(S, x3[j + 2]).fma(w2, a32);
                FloatVector w3 = w(M, o + 3 * row);
                a03 = FloatVector.broadcast(S, x0[j + 3]).fma(w3, a03);
                a13 = FloatVector.broadcast(S, x1[j + 3]).fma(w3, a13);
                a23 = FloatVector.broadcast(S, x2[j + 3]).fma(w3, a23);
                a33 = FloatVector.broadcast(S, x3[j + 3]).fma(w3, a33);
            }
            for (; j < xLen; j++) {
                FloatVector w0 = w(M, xb + j * row);
                a00 = FloatVector.broadcast(S, x0[j]).fma(w0, a00);
                a10 = FloatVector.broadcast(S, x1[j]).fma(w0, a10);
                a20 = FloatVector.broadcast(S, x2[j]).fma(w0, a20);
                a30 = FloatVector.broadcast(S, x3[j]).fma(w0, a30);
            }
        }
        if (c0 + L <= len) {
            FloatVector a = FloatVector.fromArray(S, init, c0);
            a00.add(a01).add(a02.add(a03)).add(a).intoArray(o0, c0);
            a10.add(a11).add(a12.add(a13)).add(a).intoArray(o1, c0);
            a20.add(a21).add(a22.add(a23)).add(a).intoArray(o2, c0);
            a30.add(a31).add(a32.add(a33)).add(a).intoArray(o3, c0);
        } else {
            VectorMask<Float> m = S.indexInRange(c0, len);
            FloatVector a = FloatVector.fromArray(S, init, c0, m);
            a00.add(a01).add(a02.add(a03)).add(a).intoArray(o0, c0, m);
            a10.add(a11).add(a12.add(a13)).add(a).intoArray(o1, c0, m);
            a20.add(a21).add(a22.add(a23)).add(a).intoArray(o2, c0, m);
            a30.add(a31).add(a32.add(a33)).add(a).intoArray(o3, c0, m);
        }
    }

    private static FloatVector w(MemorySegment M, long off) {
        return FloatVector.fromMemorySegment(S, M, off, NATIVE);
    }
}
