package org.vecrnn.kafka;

import org.vecrnn.infer.InferenceModel;

/** {@link StreamStep#passThrough()}: the state read and written unchanged, the output the input's first k values. */
final class PassThrough implements Stepper {
    private final int n, k;

    private PassThrough(int n, int k) {
        this.n = n;
        this.k = k;
    }

    static PassThrough of(InferenceModel model) {
        return new PassThrough(model.n(), model.k());
    }

    @Override public int n() { return n; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] state, boolean fresh, float[] x, float[] out) {
        if (fresh) java.util.Arrays.fill(state, 0f);
        int m = Math.min(n, k);
        System.arraycopy(x, 0, out, 0, m);
        java.util.Arrays.fill(out, m, k, 0f);
    }
}
