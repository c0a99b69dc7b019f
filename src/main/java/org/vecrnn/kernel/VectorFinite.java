package org.vecrnn.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether a float range holds only finite values, a vector at a time: the non-finite rule checks every state
 * and output a step or a batch makes, and a scalar loop that stops at the first bad value is one compare a
 * float (C2 does not vectorize a loop with an exit): about 6 % of a d = 256 batch.
 */
final class VectorFinite {
    private VectorFinite() {}

    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();

    /** The largest |v[i]| is at most Float.MAX_VALUE: false for an infinity, and for NaN, which max keeps. */
    static boolean all(float[] v, int off, int len) {
        // four running maxima, so that long ranges (a batch's chunk) are not one chain of dependent maxes
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j + 4 * L <= len; j += 4 * L) {
            a0 = a0.max(FloatVector.fromArray(S, v, off + j).abs());
            a1 = a1.max(FloatVector.fromArray(S, v, off + j + L).abs());
            a2 = a2.max(FloatVector.fromArray(S, v, off + j + 2 * L).abs());
            a3 = a3.max(FloatVector.fromArray(S, v, off + j + 3 * L).abs());
        }
        for (; j + L <= len; j += L) a0 = a0.max(FloatVector.fromArray(S, v, off + j).abs());
        float m = a0.max(a1).max(a2.max(a3)).reduceLanes(VectorOperators.MAX);
        for (; j < len; j++) m = Math.max(m, Math.abs(v[off + j]));
        return m <= Float.MAX_VALUE;
    }
}
