package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Both vector tanh functions against Math.tanh. The rational one is checked on every 61st float of
 * [0, 8.5] here (about 18 million points; the exhaustive run over all of them is in VectorTanh's comment)
 * and on the boundary values.
 */
class VectorTanhTest {
    static final int L = VectorStepKernel.S.length();

    @Test
    void rationalWithinBoundOnSampledFloats() {
        double worst = maxError(61);
        assertTrue(worst <= VectorTanh.MAX_ABS_ERROR, "max abs error " + worst);
    }

    /** Every float of [0, 8.5]: about 1.09e9 points, a minute on one core; run with -Dvecrnn.exhaustive=true. */
    @Test
    @EnabledIfSystemProperty(named = "vecrnn.exhaustive", matches = "true")
    void rationalWithinBoundOnEveryFloat() {
        double worst = maxError(1);
        System.out.println("rational tanh, every float in [0, 8.5]: max abs error " + worst);
        assertTrue(worst <= VectorTanh.MAX_ABS_ERROR, "max abs error " + worst);
    }

    private static double maxError(int stride) {
        float[] in = new float[L], out = new float[L];
        double worst = 0;
        int top = Float.floatToIntBits(8.5f);
        for (int bits = 0; bits <= top; ) {
            for (int l = 0; l < L; l++, bits += stride) in[l] = Float.intBitsToFloat(Math.min(bits, top));
            VectorTanh.rational(in, 0, out, 0, L);
            for (int l = 0; l < L; l++) worst = Math.max(worst, Math.abs(out[l] - Math.tanh(in[l])));
        }
        return worst;
    }

    @Test
    void boundaryValues() {
        float[] in = {0f, -0f, Float.MIN_VALUE, 1e-30f, -1e-5f, 7.9f, -7.9f, 9f, -9f, 100f, -1e30f,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5f};
        float[] out = new float[in.length];
        VectorTanh.rational(in, 0, out, 0, in.length);
        for (int i = 0; i < in.length; i++) {
            assertEquals(Math.tanh(in[i]), out[i], 3e-7, "tanh(" + in[i] + ")");
            assertTrue(Math.abs(out[i]) <= 1f, "|tanh| <= 1 at " + in[i]);
            // the scalar form exactly (== : the affine tail, here ·1 + 0, turns -0 into +0)
            assertTrue(Tanh.tanh(in[i]) == out[i], "the scalar form (Tanh) at " + in[i] + ": " + Tanh.tanh(in[i]) + " vs " + out[i]);
        }
        float[] viaJdk = {0.5f, -3f, 20f};
        VectorTanh.jdk(viaJdk, 0, 3);
        assertEquals(Math.tanh(0.5), viaJdk[0], 1e-7);
        assertEquals(Math.tanh(-3), viaJdk[1], 1e-7);
        assertEquals(1.0, viaJdk[2], 1e-7);
    }
}
