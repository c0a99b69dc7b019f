package org.vecrnn.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * tanh over float lanes, two ways:
 * <ul>
 * <li>{@link #jdk}: {@code lanewise(TANH)}, which HotSpot on x86 hands to Intel's SVML (about 0.6 ulp);
 * on other CPUs the JDK falls back to slow Java code.</li>
 * <li>{@link #rational}: a [13/6] odd rational approximation (the coefficients of Eigen's {@code ptanh_float}),
 * argument clamped to ±7.90531110763549805. Error bound, by exhaustion rather than by hope: evaluated on
 * every float in [0, 8.5] against {@code Math.tanh}, the max absolute error is 2.95e-7
 * ({@code VectorTanhTest}, {@code -Dvecrnn.exhaustive=true}); the function is odd, and above 8.5 it returns
 * the constant r(7.905) while tanh lies in [tanh(8.5), 1], so the error there is at most the larger of the
 * errors at 8.5 and at +infinity, both checked. {@link #MAX_ABS_ERROR} = 3e-7, 300 times below the oracle's
 * 1e-4 (relative to outputs of order 1).</li>
 * </ul>
 * Which one the kernels use is {@link #USE_RATIONAL}; the reason is on that constant.
 */
final class VectorTanh {
    private VectorTanh() {}

    /**
     * The rational tanh is the default, for determinism first: {@code lanewise(TANH)} is SVML when
     * JIT-compiled but a per-lane {@code Math.tanh} when interpreted, so one stream's outputs changed in the
     * last bit once the JIT warmed up; the rational one is plain FMAs and a division, exactly rounded and
     * the same in every mode. Over 256 floats it measured 88.4 ns against SVML's 103.6 ns (TanhBench,
     * bench/run 2026-11-26 10:16 UTC), so it is no slower either. Its 3e-7 error is
     * far inside the oracle's 1e-4. {@code -Dvecrnn.tanh=jdk} selects the JDK's.
     */
    static final boolean USE_RATIONAL = !"jdk".equals(System.getProperty("vecrnn.tanh"));

    /** The bound checked on every float by VectorTanhTest (-Dvecrnn.exhaustive=true). */
    static final double MAX_ABS_ERROR = 3e-7;

    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();

    // Tanh's coefficients and order of operations: the scalar and vector forms give the same values
    private static final float CLAMP = Tanh.CLAMP, A1 = Tanh.A1, A3 = Tanh.A3, A5 = Tanh.A5, A7 = Tanh.A7, A9 = Tanh.A9,
            A11 = Tanh.A11, A13 = Tanh.A13, B0 = Tanh.B0, B2 = Tanh.B2, B4 = Tanh.B4, B6 = Tanh.B6;

    /** v[off, off + len) = tanh of itself, with the tanh chosen by {@link #USE_RATIONAL}. */
    static void apply(float[] v, int off, int len) {
        if (USE_RATIONAL) rational(v, off, v, off, len);
        else jdk(v, off, len);
    }

    /** out = tanh(in) over len values (in == out allowed), the rational tanh. */
    static void rational(float[] in, int inOff, float[] out, int outOff, int len) {
        rational(in, inOff, out, outOff, len, false);
    }

    /** o = sigmoid(z) = 0.5 + 0.5 tanh(z / 2) over k values (rational tanh: error at most MAX_ABS_ERROR / 2). */
    static void sigmoid(float[] z, int zOff, float[] o, int oOff, int k) {
        rational(z, zOff, o, oOff, k, true);
    }

    static void jdk(float[] v, int off, int len) {
        for (int j = 0; j < len; j += L) {
            VectorMask<Float> m = S.indexInRange(j, len);
            FloatVector.fromArray(S, v, off + j, m).lanewise(VectorOperators.TANH).intoArray(v, off + j, m);
        }
    }

    /**
     * out = tanh(in), or 0.5 tanh(in / 2) + 0.5 when {@code sigmoid}, over len values (in == out allowed). The
     * test of {@code sigmoid} is loop-invariant and C2 takes it out of the loop: the tanh alone runs without the
     * sigmoid's multiply and FMA in the chain of each vector (256 values with the copy of the input, a
     * harness on this machine: 93 ns with them, 84 ns now, 78 with a second copy of the loop, not worth the
     * copy; TanhBench 80.5 ns, bench/run 14:46 UTC). Loops over arrays on purpose: a helper
     * taking or returning vectors is not always inlined (C2 compiles it on its own once hot and then finds it
     * "too large" to inline), and every vector crossing such a call is boxed: 288 bytes a step showed up in
     * JMH -prof gc that way. Every vector here lives and dies inside this one loop body.
     */
    private static void rational(float[] in, int inOff, float[] out, int outOff, int len, boolean sigmoid) {
        for (int j = 0; j < len; j += L) {
            VectorMask<Float> m = S.indexInRange(j, len);
            FloatVector c = FloatVector.fromArray(S, in, inOff + j, m);
            if (sigmoid) c = c.mul(0.5f);
            c = c.max(-CLAMP).min(CLAMP);
            FloatVector x2 = c.mul(c);
            FloatVector p = x2.fma(A13, A11);
            p = p.fma(x2, FloatVector.broadcast(S, A9));
            p = p.fma(x2, FloatVector.broadcast(S, A7));
            p = p.fma(x2, FloatVector.broadcast(S, A5));
            p = p.fma(x2, FloatVector.broadcast(S, A3));
            p = p.fma(x2, FloatVector.broadcast(S, A1));
            FloatVector q = x2.fma(B6, B4);
            q = q.fma(x2, FloatVector.broadcast(S, B2));
            q = q.fma(x2, FloatVector.broadcast(S, B0));
            FloatVector t = p.div(q).mul(c); // (p/q)·c, Tanh's order: the same bits
            if (sigmoid) t = t.fma(0.5f, 0.5f);
            t.intoArray(out, outOff + j, m);
        }
    }
}
