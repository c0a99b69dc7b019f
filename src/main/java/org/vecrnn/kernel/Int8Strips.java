package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The int8 grouped step's inner loops: one scale group of a strip of 4 output vectors (one interleaved int
 * vector a row, see {@link Int8VectorKernel}) for 4, 2 or 1 streams at once. Each int vector is loaded and
 * widened to its 4 float vectors once, and each of those feeds one FMA per stream: the decode, which bounds
 * the single step, is shared by the group.
 *
 * <p>Every output vector of every stream is computed with exactly the operations of
 * {@code Int8VectorKernel.block8} and {@code block4}, in the same order: per scale group one FMA chain over
 * its columns from zero, then {@code acc = (p · 2^-24) · scale + acc}. The accumulator across groups lives in
 * the stream's output array (the caller starts it at the bias) rather than in registers, which do not hold
 * 4 streams × 4 vectors twice over; a float stored and loaded back is the same float, so a stream stepped in
 * a group gets the same bits as stepped alone.
 */
final class Int8Strips {
    private Int8Strips() {}

    private static final VectorSpecies<Float> F = Int8VectorKernel.F;
    private static final VectorSpecies<Integer> I = Int8VectorKernel.I;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float UNSHIFT = Int8VectorKernel.UNSHIFT;

    /**
     * o_s[c0, c0 + 4L) += the scaled products of the rows [from, to) (columns of one scale group) with e_s:
     * row j's int vector at {@code gb + j · row}, the group's 4 scale vectors from {@code so}.
     */
    static void strip4(MemorySegment q, MemorySegment sc, long gb, long row, int from, int to, long so, int c0,
                       float[] e0, float[] e1, float[] e2, float[] e3, float[] o0, float[] o1, float[] o2, float[] o3) {
        FloatVector p00 = FloatVector.zero(F), p01 = p00, p02 = p00, p03 = p00, p10 = p00, p11 = p00, p12 = p00, p13 = p00, p20 = p00, p21 = p00, p22 = p00, p23 = p00, p30 = p00, p31 = p00, p32 = p00, p33 = p00;
        for (int j = from; j < to; j++) {
            IntVector w = IntVector.fromMemorySegment(I, q, gb + j * row, LE);
            FloatVector f0 = Int8VectorKernel.part0(w), f1 = Int8VectorKernel.part1(w), f2 = Int8VectorKernel.part2(w), f3 = Int8VectorKernel.part3(w);
            FloatVector b0 = FloatVector.broadcast(F, e0[j]);
            p00 = f0.fma(b0, p00);
            p01 = f1.fma(b0, p01);
            p02 = f2.fma(b0, p02);
            p03 = f3.fma(b0, p03);
            FloatVector b1 = FloatVector.broadcast(F, e1[j]);
            p10 = f0.fma(b1, p10);
            p11 = f1.fma(b1, p11);
            p12 = f2.fma(b1, p12);
            p13 = f3.fma(b1, p13);
            FloatVector b2 = FloatVector.broadcast(F, e2[j]);
            p20 = f0.fma(b2, p20);
            p21 = f1.fma(b2, p21);
            p22 = f2.fma(b2, p22);
            p23 = f3.fma(b2, p23);
            FloatVector b3 = FloatVector.broadcast(F, e3[j]);
            p30 = f0.fma(b3, p30);
            p31 = f1.fma(b3, p31);
            p32 = f2.fma(b3, p32);
            p33 = f3.fma(b3, p33);
        }
        FloatVector s0 = FloatVector.fromMemorySegment(F, sc, so, LE), s1 = FloatVector.fromMemorySegment(F, sc, so + 4L * L, LE), s2 = FloatVector.fromMemorySegment(F, sc, so + 8L * L, LE), s3 = FloatVector.fromMemorySegment(F, sc, so + 12L * L, LE);
        p00.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o0, c0)).intoArray(o0, c0);
        p01.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o0, c0 + L)).intoArray(o0, c0 + L);
        p02.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o0, c0 + 2 * L)).intoArray(o0, c0 + 2 * L);
        p03.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o0, c0 + 3 * L)).intoArray(o0, c0 + 3 * L);
        p10.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o1, c0)).intoArray(o1, c0);
        p11.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o1, c0 + L)).intoArray(o1, c0 + L);
        p12.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o1, c0 + 2 * L)).intoArray(o1, c0 + 2 * L);
        p13.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o1, c0 + 3 * L)).intoArray(o1, c0 + 3 * L);
        p20.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o2, c0)).intoArray(o2, c0);
        p21.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o2, c0 + L)).intoArray(o2, c0 + L);
        p22.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o2, c0 + 2 * L)).intoArray(o2, c0 + 2 * L);
        p23.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o2, c0 + 3 * L)).intoArray(o2, c0 + 3 * L);
        p30.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o3, c0)).intoArray(o3, c0);
        p31.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o3, c0 + L)).intoArray(o3, c0 + L);
        p32.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o3, c0 + 2 * L)).intoArray(o3, c0 + 2 * L);
        p33.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o3, c0 + 3 * L)).intoArray(o3, c0 + 3 * L);
    }

    /** As {@link #strip4}, for 2 streams. */
    static void strip2(MemorySegment q, MemorySegment sc, long gb, long row, int from, int to, long so, int c0,
                       float[] e0, float[] e1, float[] o0, float[] o1) {
        FloatVector p00 = FloatVector.zero(F), p01 = p00, p02 = p00, p03 = p00, p10 = p00, p11 = p00, p12 = p00, p13 = p00;
        for (int j = from; j < to; j++) {
            IntVector w = IntVector.fromMemorySegment(I, q, gb + j * row, LE);
            FloatVector f0 = Int8VectorKernel.part0(w), f1 = Int8VectorKernel.part1(w), f2 = Int8VectorKernel.part2(w), f3 = Int8VectorKernel.part3(w);
            FloatVector b0 = FloatVector.broadcast(F, e0[j]);
            p00 = f0.fma(b0, p00);
            p01 = f1.fma(b0, p01);
            p02 = f2.fma(b0, p02);
            p03 = f3.fma(b0, p03);
            FloatVector b1 = FloatVector.broadcast(F, e1[j]);
            p10 = f0.fma(b1, p10);
            p11 = f1.fma(b1, p11);
            p12 = f2.fma(b1, p12);
            p13 = f3.fma(b1, p13);
        }
        FloatVector s0 = FloatVector.fromMemorySegment(F, sc, so, LE), s1 = FloatVector.fromMemorySegment(F, sc, so + 4L * L, LE), s2 = FloatVector.fromMemorySegment(F, sc, so + 8L * L, LE), s3 = FloatVector.fromMemorySegment(F, sc, so + 12L * L, LE);
        p00.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o0, c0)).intoArray(o0, c0);
        p01.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o0, c0 + L)).intoArray(o0, c0 + L);
        p02.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o0, c0 + 2 * L)).intoArray(o0, c0 + 2 * L);
        p03.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o0, c0 + 3 * L)).intoArray(o0, c0 + 3 * L);
        p10.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o1, c0)).intoArray(o1, c0);
        p11.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o1, c0 + L)).intoArray(o1, c0 + L);
        p12.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o1, c0 + 2 * L)).intoArray(o1, c0 + 2 * L);
        p13.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o1, c0 + 3 * L)).intoArray(o1, c0 + 3 * L);
    }

    /** As {@link #strip4}, for 1 stream. */
    static void strip1(MemorySegment q, MemorySegment sc, long gb, long row, int from, int to, long so, int c0,
                       float[] e0, float[] o0) {
        FloatVector p00 = FloatVector.zero(F), p01 = p00, p02 = p00, p03 = p00;
        for (int j = from; j < to; j++) {
            IntVector w = IntVector.fromMemorySegment(I, q, gb + j * row, LE);
            FloatVector f0 = Int8VectorKernel.part0(w), f1 = Int8VectorKernel.part1(w), f2 = Int8VectorKernel.part2(w), f3 = Int8VectorKernel.part3(w);
            FloatVector b0 = FloatVector.broadcast(F, e0[j]);
            p00 = f0.fma(b0, p00);
            p01 = f1.fma(b0, p01);
            p02 = f2.fma(b0, p02);
            p03 = f3.fma(b0, p03);
        }
        FloatVector s0 = FloatVector.fromMemorySegment(F, sc, so, LE), s1 = FloatVector.fromMemorySegment(F, sc, so + 4L * L, LE), s2 = FloatVector.fromMemorySegment(F, sc, so + 8L * L, LE), s3 = FloatVector.fromMemorySegment(F, sc, so + 12L * L, LE);
        p00.mul(UNSHIFT).fma(s0, FloatVector.fromArray(F, o0, c0)).intoArray(o0, c0);
        p01.mul(UNSHIFT).fma(s1, FloatVector.fromArray(F, o0, c0 + L)).intoArray(o0, c0 + L);
        p02.mul(UNSHIFT).fma(s2, FloatVector.fromArray(F, o0, c0 + 2 * L)).intoArray(o0, c0 + 2 * L);
        p03.mul(UNSHIFT).fma(s3, FloatVector.fromArray(F, o0, c0 + 3 * L)).intoArray(o0, c0 + 3 * L);
    }
}
