package org.vecrnn.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Sigmoid over float lanes as 0.5 + 0.5 tanh(z / 2), with VectorTanh's tanh (see {@link Activation}). */
final class VectorActivation {
    private VectorActivation() {}

    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;

    static void sigmoid(float[] z, int zOff, float[] o, int oOff, int k) {
        int L = S.length(), j = 0;
        for (; j <= k - L; j += L)
            half(FloatVector.fromArray(S, z, zOff + j)).intoArray(o, oOff + j);
        if (j < k) {
            VectorMask<Float> m = S.indexInRange(j, k);
            half(FloatVector.fromArray(S, z, zOff + j, m)).intoArray(o, oOff + j, m);
        }
    }

    private static FloatVector half(FloatVector z) {
        return VectorTanh.apply(z.mul(0.5f)).fma(0.5f, 0.5f);
    }
}
