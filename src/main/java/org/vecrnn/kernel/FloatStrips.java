package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 grouped step's inner loops: a strip of 2 output vectors of a {@link VectorStepKernel} column block,
 * for 4, 2 or 1 streams at once. Each weight vector is loaded once into a register and feeds one FMA per
 * stream, so a group of 4 reads a strip's weights once where 4 single steps read them 4 times.
 *
 * <p>Every output vector of every stream is computed with exactly the operations of
 * {@code VectorStepKernel.rows8} and {@code rows4}, in the same order: the init, then one FMA chain over the
 * even rows and one over the odd rows, added at the end. So a stream stepped in a group gets the same bits
 * as stepped alone. The loops are counted (the j bound is a parameter, the step a literal 2) so that C2
 * hoists the bounds checks of the stream arrays out of them.
 *
 * <p>Registers: 4 streams × 2 vectors × 2 chains = 16 accumulators, 4 weight vectors and a broadcast.
 */
final class FloatStrips {
    private FloatStrips() {}

    static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * out_s[c0, c0 + 2L) = init_s[initOff + c0, ...) + Σ_j e_s[j] row_j over the len rows from {@code base}, each
     * row {@code row} bytes apart and this strip's 2 vectors at its start (base already points at them).
     */
    static void strip4(MemorySegment M, long base, long row, int c0, int len, float[] e0, float[] e1, float[] e2, float[] e3,
                       float[] i0, float[] i1, float[] i2, float[] i3, int initOff, float[] o0, float[] o1, float[] o2, float[] o3) {
        int at = initOff + c0;
        FloatVector s00 = FloatVector.fromArray(S, i0, at), s01 = FloatVector.fromArray(S, i0, at + L);
        FloatVector s10 = FloatVector.fromArray(S, i1, at), s11 = FloatVector.fromArray(S, i1, at + L);
        FloatVector s20 = FloatVector.fromArray(S, i2, at), s21 = FloatVector.fromArray(S, i2, at + L);
        FloatVector s30 = FloatVector.fromArray(S, i3, at), s31 = FloatVector.fromArray(S, i3, at + L);
        FloatVector t00 = FloatVector.zero(S), t01 = t00, t10 = t00, t11 = t00, t20 = t00, t21 = t00, t30 = t00, t31 = t00;
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
            FloatVector b2 = FloatVector.broadcast(S, e2[j]);
            s20 = b2.fma(w0, s20);
            s21 = b2.fma(w1, s21);
            FloatVector b3 = FloatVector.broadcast(S, e3[j]);
            s30 = b3.fma(w0, s30);
            s31 = b3.fma(w1, s31);
            FloatVector q0 = FloatVector.broadcast(S, e0[j + 1]);
            t00 = q0.fma(v0, t00);
            t01 = q0.fma(v1, t01);
            FloatVector q1 = FloatVector.broadcast(S, e1[j + 1]);
            t10 = q1.fma(v0, t10);
            t11 = q1.fma(v1, t11);
            FloatVector q2 = FloatVector.broadcast(S, e2[j + 1]);
            t20 = q2.fma(v0, t20);
            t21 = q2.fma(v1, t21);
            FloatVector q3 = FloatVector.broadcast(S, e3[j + 1]);
            t30 = q3.fma(v0, t30);
            t31 = q3.fma(v1, t31);
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
            FloatVector b2 = FloatVector.broadcast(S, e2[j]);
            s20 = b2.fma(w0, s20);
            s21 = b2.fma(w1, s21);
            FloatVector b3 = FloatVector.broadcast(S, e3[j]);
            s30 = b3.fma(w0, s30);
            s31 = b3.fma(w1, s31);
        }
        s00.add(t00).intoArray(o0, c0);
        s01.add(t01).intoArray(o0, c0 + L);
        s10.add(t10).intoArray(o1, c0);
        s11.add(t11).intoArray(o1, c0 + L);
        s20.add(t20).intoArray(o2, c0);
        s21.add(t21).intoArray(o2, c0 + L);
        s30.add(t30).intoArray(o3, c0);
        s31.add(t31).intoArray(o3, c0 + L);
    }

    /** As {@link #strip4}, for 2 streams. */
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

    /** As {@link #strip4}, for 1 stream. */
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

    private static FloatVector w(MemorySegment M, long off) {
        return FloatVector.fromMemorySegment(S, M, off, NATIVE);
    }
}
