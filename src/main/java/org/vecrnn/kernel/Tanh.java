package org.vecrnn.kernel;

/**
 * tanh as a rational function (the 13/6 minimax fit Eigen uses for float): only multiplies, adds, FMAs and
 * one division, so the scalar and Vector API versions give the same bits, and so does every JIT tier. The
 * JDK's own tanh does not: before C2 compiles it, Vector API TANH runs Math.tanh per lane, after it SVML,
 * which differ in the last bit; training would then depend on when the JIT kicked in, and the promise
 * "same seed, same model, bit for bit" would break. Error: a few ulp against Math.tanh (tested).
 *
 * <p>It has no branch, so C2 auto-vectorizes a plain loop of it over a float[] ({@link ArraySegmentOps}):
 * the clamp is a min/max, and the odd factor x is applied last, as (p/q)·x, which keeps tiny and subnormal
 * x accurate (p/q is then A1/B0, 1 - 1.3e-7) without Eigen's |x| < 4e-4 special case.
 */
final class Tanh {
    static final float CLAMP = 7.90531110763549805f;
    static final float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
            A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    static final float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    private Tanh() {}

    static float tanh(float x) {
        float c = Math.max(-CLAMP, Math.min(CLAMP, x));
        float x2 = c * c;
        float p = Math.fma(x2, A13, A11);
        p = Math.fma(p, x2, A9);
        p = Math.fma(p, x2, A7);
        p = Math.fma(p, x2, A5);
        p = Math.fma(p, x2, A3);
        p = Math.fma(p, x2, A1);
        float q = Math.fma(x2, B6, B4);
        q = Math.fma(q, x2, B2);
        q = Math.fma(q, x2, B0);
        return p / q * c;
    }
}
