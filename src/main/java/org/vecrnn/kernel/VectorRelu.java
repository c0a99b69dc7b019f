package org.vecrnn.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** relu over float lanes: {@code max(v, 0)}, NaN kept as NaN like {@code Math.max} (so a blown-up state stays visible). */
final class VectorRelu {
    private VectorRelu() {}

    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();

    /** v[off, off + len) = relu of itself. */
    static void apply(float[] v, int off, int len) {
        int j = 0;
        for (; j + L <= len; j += L) FloatVector.fromArray(S, v, off + j).max(0f).intoArray(v, off + j);
        if (j < len) {
            VectorMask<Float> m = S.indexInRange(j, len);
            FloatVector.fromArray(S, v, off + j, m).max(0f).intoArray(v, off + j, m);
        }
    }

    /** v[off, off + len) = f(v) for the hidden nonlinearity of a kernel: relu when {@code relu}, else the chosen tanh. */
    static void hidden(boolean relu, float[] v, int off, int len) {
        if (relu) apply(v, off, len);
        else VectorTanh.apply(v, off, len);
    }
}
