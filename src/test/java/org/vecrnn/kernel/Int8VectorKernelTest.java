package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.Int8Models;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The Vector API int8 kernel against the scalar int8 reference on awkward sizes, with extreme weights
 * (whole rows of 127 and -127) and zero rows. Both sum the same products in a different order, so they may
 * differ by float rounding only: per output, at most 2·(m+3)·2^-24 · Σ|terms| for a sum of m terms (the
 * classic bound for recursive summation, once for each kernel; m = d + n for a step), plus, after tanh, the
 * two tanh versions' distance: the reference's Math.tanh rounded to float (half an ulp of 1) against the
 * rational tanh's proven bound ({@link VectorTanh#MAX_ABS_ERROR}).
 */
class Int8VectorKernelTest {
    static final int[] SIZES = {1, 3, 15, 16, 17, 31, 32, 33, 65, 100, 257};
    static final double EPS = Math.ulp(1.0f) / 2;
    static final double TANH = VectorTanh.MAX_ABS_ERROR + EPS;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 7001;
        for (Int8Scheme scheme : Int8Scheme.values())
            for (int d : SIZES)
                out.add(Arguments.of(scheme, d % 19 + 1 + (d > 60 ? 40 : 0), d, d % 7 + 1, seed++));
        out.add(Arguments.of(Int8Scheme.ROW, 257, 100, 33, seed++));
        out.add(Arguments.of(Int8Scheme.BLOCK32, 100, 257, 65, seed++));
        return out;
    }

    @ParameterizedTest(name = "{0} n={1} d={2} k={3} seed={4}")
    @MethodSource("cases")
    void vectorEqualsScalarWithinRounding(Int8Scheme scheme, int n, int d, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        try (QuantizedRnn m = Int8Models.int8(n, d, k, Output.IDENTITY, scheme, seed);
             StepKernel ref = Int8Kernels.scalar(m); StepKernel vec = Int8Kernels.vector(m)) {
            float[] h = uniform(d, r, 1), x = uniform(n, r, 3), p = uniform(d + 5, r, 2);
            h[0] = 1;
            x[0] = -3;
            float[] a = m.aValues(), b = m.bValues();

            float[] want = new float[d], got = new float[d];
            ref.step(h, x, want);
            vec.step(h, x, got);
            for (int i = 0; i < d; i++) {
                // within the bound of one sum of d + n terms (the W and U sums, added, are no worse)
                double terms = absSum(m.W(), i, h) + absSum(m.U(), i, x) + Math.abs(a[i]);
                double bound = 2 * (d + n + 3) * EPS * terms + TANH;
                assertEquals(want[i], got[i], bound, "step h[" + i + "]");
            }
            // a stream alternates the direction of its pass over the column blocks: the same bits either way
            float[] back = new float[d];
            vec.step(h, x, back, true);
            for (int i = 0; i < d; i++)
                assertEquals(Float.floatToRawIntBits(got[i]), Float.floatToRawIntBits(back[i]), "backward step h[" + i + "]: " + back[i] + " against " + got[i]);

            ref.stepProjected(h, p, 5, want);
            vec.stepProjected(h, p, 5, got);
            for (int i = 0; i < d; i++)
                assertEquals(want[i], got[i], bound(m.W(), i, h) + 4 * EPS * Math.abs(p[5 + i]) + TANH, "stepProjected h[" + i + "]");

            float[] zw = new float[k], zg = new float[k];
            ref.head(h, zw);
            vec.head(h, zg);
            for (int i = 0; i < k; i++) assertEquals(zw[i], zg[i], bound(m.V(), i, h) + 4 * EPS * Math.abs(b[i]), "head z[" + i + "]");
        }
    }

    /** Zero rows give exactly the bias; rows of ±127 with scale s give exactly ±127·s·Σv when Σv is exact. */
    @Test
    void extremeAndZeroRowsAreExact() {
        try (QuantizedRnn m = Int8Models.int8(40, 40, 10, Output.IDENTITY, Int8Scheme.ROW, 42);
             StepKernel ref = Int8Kernels.scalar(m); StepKernel vec = Int8Kernels.vector(m)) {
            float[] h = new float[40];
            java.util.Arrays.fill(h, 0.5f);
            float[] zr = new float[10], zv = new float[10];
            ref.head(h, zr);
            vec.head(h, zv);
            float[] b = m.bValues();
            Int8Matrix V = m.V();
            for (int i = 0; i < 10; i++) {
                float s = V.scales().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
                if (i % 5 == 4) {
                    assertEquals(b[i], zr[i], 0.0, "zero row " + i);
                    assertEquals(b[i], zv[i], 0.0, "zero row " + i);
                }
                if (i % 5 == 3) {
                    float want = (i % 2 == 0 ? 127f : -127f) * 20f * s + b[i]; // 40 × 0.5: every partial sum is exact
                    assertEquals(want, zr[i], 2 * Math.ulp(want), "extreme row " + i);
                    assertEquals(want, zv[i], 2 * Math.ulp(want), "extreme row " + i);
                }
            }
        }
    }

    @Test
    void decodeChoiceFollowsTheProperty() {
        assertTrue(Int8VectorKernel.bytePermute("permute"));
        assertTrue(!Int8VectorKernel.bytePermute(" shift "));
        assertThrows(IllegalArgumentException.class, () -> Int8VectorKernel.bytePermute("fast"));
        String forced = System.getProperty("vecrnn.int8Decode");
        if (forced != null) assertEquals(forced.trim().equals("permute"), Int8VectorKernel.PERMUTE, "vecrnn.int8Decode=" + forced);
        System.out.println("int8 kernel: " + (Int8VectorKernel.PERMUTE ? "byte permute" : "shift") + " decode (vecrnn.int8Decode=" + forced + ")");
    }

    @Test
    void shortArraysAreRefused() {
        try (QuantizedRnn m = Int8Models.int8(3, 5, 2, Output.IDENTITY, Int8Scheme.BLOCK32, 1); StepKernel vec = Int8Kernels.vector(m)) {
            assertThrows(IllegalArgumentException.class, () -> vec.step(new float[4], new float[3], new float[5]));
            assertThrows(IllegalArgumentException.class, () -> vec.step(new float[5], new float[2], new float[5]));
            float[] h = new float[5];
            assertThrows(IllegalArgumentException.class, () -> vec.step(h, new float[3], h));
            assertThrows(IllegalArgumentException.class, () -> vec.stepProjected(new float[5], new float[5], 1, new float[5]));
            assertThrows(IllegalArgumentException.class, () -> vec.head(new float[5], new float[1]));
            float[] hz = new float[5];
            assertThrows(IllegalArgumentException.class, () -> vec.head(hz, hz));
        }
    }

    @Test
    void closedModelIsRefused() {
        QuantizedRnn m = Int8Models.int8(3, 5, 2, Output.IDENTITY, Int8Scheme.ROW, 1);
        StepKernel vec = Int8Kernels.vector(m);
        m.close();
        assertThrows(IllegalStateException.class, () -> vec.step(new float[5], new float[3], new float[5]));
        assertTrue(!m.isOpen());
    }

    @Test
    void owningKernelClosesItsModelAndBorrowingOneDoesNot() {
        QuantizedRnn m = Int8Models.int8(3, 5, 2, Output.IDENTITY, Int8Scheme.ROW, 1);
        StepKernel borrowing = Int8Kernels.create(m);
        borrowing.close();
        assertTrue(m.isOpen());
        // its own packed weights are gone: a step is refused, not read from freed memory
        assertThrows(IllegalStateException.class, () -> borrowing.step(new float[5], new float[3], new float[5]));
        borrowing.close();
        Int8Kernels.owning(m).close();
        assertTrue(!m.isOpen());
    }

    /** 2·(m+3)·eps·Σ_j |q_ij · scale_ij · v_j| for row i of m columns. */
    static double bound(Int8Matrix w, int i, float[] v) {
        return 2 * (w.cols() + 3) * EPS * absSum(w, i, v);
    }

    /** Σ_j |q_ij · scale_ij · v_j|. */
    static double absSum(Int8Matrix w, int i, float[] v) {
        double sum = 0;
        int per = w.scalesPerRow(), len = w.blockLength();
        for (int j = 0; j < w.cols(); j++) {
            double s = w.scales().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, (long) i * per + j / len);
            sum += Math.abs(w.q().get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) i * w.cols() + j) * s * v[j]);
        }
        return sum;
    }

    static float[] uniform(int len, SplittableRandom r, double scale) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        return v;
    }
}
