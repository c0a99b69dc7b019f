package org.vecrnn.infer;

import org.vecrnn.kernel.Kernels;

/** The checks of a grouped step and of the batch path: the non-finite rule of {@link StreamState#step}. */
final class Steps {
    private Steps() {}

    /** x must hold n finite values; checked before any state changes. */
    static void checkInput(float[] x, int n, String who) {
        if (x == null) throw new IllegalArgumentException(who + "x is null");
        if (x.length != n) throw new IllegalArgumentException(who + "x has " + x.length + " values, the model takes n=" + n);
        if (Kernels.allFinite(x, 0, n)) return;
        for (int j = 0; j < n; j++)
            if (!Float.isFinite(x[j])) throw new IllegalArgumentException(who + "x[" + j + "] is not finite: " + x[j]);
    }

    /** The forward pass's check of one row (sequence seq, step t) of hidden values or outputs, v[off, off + len). */
    static void requireFinite(String what, float[] v, int off, int len, int seq, int t) {
        for (int i = 0; i < len; i++)
            if (!Float.isFinite(v[off + i]))
                throw new NonFiniteStateException("the forward pass made " + what + " " + v[off + i] + " at sequence " + seq + ", step " + t
                        + ", index " + i + " from finite inputs (the model's weights are too large)");
    }

    /** Null when layer l's new state is finite, else the {@link NonFiniteStateException} that StreamState.step throws. */
    static RuntimeException nonFiniteHidden(float[] h, int l, int layers) {
        if (Kernels.allFinite(h, 0, h.length)) return null;
        for (int i = 0; i < h.length; i++)
            if (!Float.isFinite(h[i])) return new NonFiniteStateException("the step would make hidden value " + i
                    + (layers == 1 ? "" : " of layer " + l) + " " + h[i] + " from finite inputs (the model's weights are too large); the state is unchanged");
        return null;
    }

    /** Null when the head's k values are finite, else the {@link NonFiniteStateException} that StreamState.step throws. */
    static RuntimeException nonFiniteOutput(float[] z, int k) {
        if (Kernels.allFinite(z, 0, k)) return null;
        for (int i = 0; i < k; i++)
            if (!Float.isFinite(z[i])) return new NonFiniteStateException("the step would make output " + i + " " + z[i]
                    + " from finite inputs (the model's weights are too large); the state is unchanged");
        return null;
    }
}
