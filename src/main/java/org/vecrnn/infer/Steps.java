package org.vecrnn.infer;

import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;

/** The checks of a grouped step and of the batch path: the non-finite rule of {@link StreamState#step}. */
final class Steps {
    private Steps() {}

    /** x must hold n finite values; checked before any state changes. */
    static void checkInput(float[] x, int n, String who) {
        checkInput(null, x, n, who);
    }

    /** The same, checked the way kernel {@code kr} checks (null: {@link Kernels#allFinite}). */
    static void checkInput(StepKernel kr, float[] x, int n, String who) {
        if (x == null) throw new IllegalArgumentException(who + "x is null");
        if (x.length != n) throw new IllegalArgumentException(who + "x has " + x.length + " values, the model takes n=" + n);
        int j = firstNonFinite(kr, x, 0, n);
        if (j >= 0) throw new IllegalArgumentException(who + "x[" + j + "] is not finite: " + x[j]);
    }

    /** The first i with v[off + i] NaN or infinite, or -1: checked a vector at a time, searched only when one is there. */
    static int firstNonFinite(float[] v, int off, int len) {
        return firstNonFinite(null, v, off, len);
    }

    /**
     * The same, checked by kernel {@code kr} ({@link StepKernel#allFinite}: a freshly loaded model's plain Java
     * twins check with a plain loop until the Vector API is compiled), or by {@link Kernels#allFinite} when null.
     */
    static int firstNonFinite(StepKernel kr, float[] v, int off, int len) {
        if (kr == null ? Kernels.allFinite(v, off, len) : kr.allFinite(v, off, len)) return -1;
        for (int i = 0; i < len; i++) if (!Float.isFinite(v[off + i])) return i;
        return -1;
    }

    /** The forward pass's check of one row (sequence seq, step t) of hidden values or outputs, v[off, off + len). */
    static void requireFinite(String what, float[] v, int off, int len, int seq, int t) {
        int i = firstNonFinite(v, off, len);
        if (i >= 0)
            throw new NonFiniteStateException("the forward pass made " + what + " " + v[off + i] + " at sequence " + seq + ", step " + t
                        + ", index " + i + " from finite inputs (the model's weights are too large)");
    }

    /** Null when layer l's new state (checked by its kernel kr) is finite, else the {@link NonFiniteStateException} that StreamState.step throws. */
    static RuntimeException nonFiniteHidden(StepKernel kr, float[] h, int d, int l, int layers) {
        int i = firstNonFinite(kr, h, 0, d);
        return i < 0 ? null : new NonFiniteStateException("the step would make hidden value " + i
                    + (layers == 1 ? "" : " of layer " + l) + " " + h[i] + " from finite inputs (the model's weights are too large); the state is unchanged");
    }

    /** Null when the head's k values are finite, else the {@link NonFiniteStateException} that StreamState.step throws. */
    static RuntimeException nonFiniteOutput(StepKernel kr, float[] z, int k) {
        int i = firstNonFinite(kr, z, 0, k);
        return i < 0 ? null : new NonFiniteStateException("the step would make output " + i + " " + z[i]
                    + " from finite inputs (the model's weights are too large); the state is unchanged");
    }
}
